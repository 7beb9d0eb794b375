"""The chat request as one schema, and the one mapper from a refused
request to its 4xx answer:

    {"sender": "...", "message": "...", "metadata": {"language": "nl", "country": "NL"}}

Control characters in the message become spaces; anything else odd is
refused with a clear `{"error": ...}`. The metadata's language and country
are not checked: base.locale reads them and ignores values it does not know.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, NamedTuple, NoReturn, Optional, Text

from pydantic import BaseModel, StrictStr, ValidationError, validator
from pydantic.error_wrappers import ErrorWrapper
from pydantic.errors import PydanticValueError

MAX_MESSAGE_CHARS = 5000
MAX_SENDER_CHARS = 128
MAX_METADATA_BYTES = 4096
MAX_BODY_BYTES = 64 * 1024
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
JSON_TYPES = ("", "application/json", "text/plain", "application/x-www-form-urlencoded")
CHAT_EXAMPLE = '{"sender": "...", "message": "..."}'


class Refused(PydanticValueError):
    """A broken rule; its text is the client's `error`, its status the answer's."""

    code = "chat"
    status = 400


class BodyTooLarge(Refused):
    code, status = "chat.body_too_large", 413
    msg_template = f"The request is larger than {MAX_BODY_BYTES // 1024} kB."


class NotJsonType(Refused):
    code, status = "chat.body_type", 415
    msg_template = "The body must be JSON, sent with 'Content-Type: application/json'."


class NotJson(Refused):
    code, msg_template = "chat.body_json", "The body must be JSON (UTF-8)."


class NoObject(Refused):
    code, msg_template = "chat.body_object", "The body must be a JSON object: {example}."


class Blank(Refused):
    code, msg_template = "chat.blank", "'{field}' must be a non-empty string."


class TooLong(Refused):
    code, msg_template = "chat.too_long", "'{field}' is longer than {limit} characters."


class NotPrintable(Refused):
    code, msg_template = "chat.not_printable", "'{field}' may only contain printable characters."


class NotUnicode(Refused):
    code, msg_template = "chat.not_unicode", "'{field}' is not valid Unicode text."


class NotObject(Refused):
    code, msg_template = "chat.not_object", "'{field}' must be a JSON object."


class TooLarge(Refused):
    code, msg_template = "chat.too_large", "'{field}' is larger than {limit} bytes or not valid Unicode."


STATUS = {f"value_error.{kind.code}": kind.status for kind in (BodyTooLarge, NotJsonType)}
WRONG_TYPE = {"metadata": NotObject}  # else Blank: a missing, null or non-string field


def encodable(text: Text) -> bool:
    """False for lone surrogates ("\\ud800" in JSON), which no store can encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class ChatRequest(BaseModel):
    """One chat message as a client sends it, checked; the sender stripped."""

    sender: StrictStr
    message: StrictStr
    metadata: Dict[str, Any] = {}

    class Config:
        allow_mutation = False

    @validator("sender")
    def _sender(cls, value: Text, field: Any) -> Text:
        if not value.strip():
            raise Blank(field=field.name)
        if len(value) > MAX_SENDER_CHARS:
            raise TooLong(field=field.name, limit=MAX_SENDER_CHARS)
        if not value.isprintable():  # lone surrogates are not printable either
            raise NotPrintable(field=field.name)
        return value.strip()

    @validator("message")
    def _message(cls, value: Text, field: Any) -> Text:
        if not value.strip():
            raise Blank(field=field.name)
        if len(value) > MAX_MESSAGE_CHARS:
            raise TooLong(field=field.name, limit=MAX_MESSAGE_CHARS)
        if not encodable(value):
            raise NotUnicode(field=field.name)
        value = CONTROL_CHARACTERS.sub(" ", value)  # tabs and newlines stay
        if not value.strip():
            raise Blank(field=field.name)
        return value

    @validator("metadata", pre=True)
    def _metadata(cls, value: Any, field: Any) -> Dict[str, Any]:
        if not value:  # null, "", [] ... mean none
            return {}
        if not isinstance(value, dict):
            raise NotObject(field=field.name)
        try:
            fits = encodable(json.dumps(value, ensure_ascii=False)) and len(json.dumps(value)) <= MAX_METADATA_BYTES
        except (ValueError, RecursionError):
            fits = False
        if not fits:
            raise TooLarge(field=field.name, limit=MAX_METADATA_BYTES)
        return value

    @property
    def language(self) -> Any:
        return self.metadata.get("language")

    @property
    def country(self) -> Any:
        return self.metadata.get("country")

    @classmethod
    def from_body(cls, body: Optional[bytes], content_type: Optional[Text] = "application/json") -> ChatRequest:
        """The request a body holds; ValidationError (see `rejection`) if none."""
        payload = json_object(body, content_type)
        return cls(**{name: payload[name] for name in cls.__fields__ if name in payload})


def refuse(error: Refused) -> NoReturn:
    raise ValidationError([ErrorWrapper(error, loc="body")], ChatRequest)


def is_json_type(content_type: Optional[Text]) -> bool:
    """Whether a Content-Type names JSON (or is absent, as curl -d may send)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in JSON_TYPES or kind.endswith("+json")


def json_object(
    body: Optional[bytes], content_type: Optional[Text] = "application/json", example: Text = CHAT_EXAMPLE
) -> Dict[str, Any]:
    """The JSON object a body holds; ValidationError if it is too large, not
    sent as JSON, not JSON or not an object (`example` shows one)."""
    if len(body or b"") > MAX_BODY_BYTES:
        refuse(BodyTooLarge())
    if not is_json_type(content_type):
        refuse(NotJsonType())
    try:
        payload = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        refuse(NotJson())
    if not isinstance(payload, dict):
        refuse(NoObject(example=example))
    return payload


class Rejection(NamedTuple):
    """Why a request is refused: the HTTP status and a message for the client."""

    status: int
    message: Text

    @property
    def body(self) -> Dict[Text, Text]:
        return {"error": self.message}


def rejection(error: ValidationError) -> Rejection:
    """The 4xx answer to a refused request: its first broken rule."""
    first = error.errors()[0]
    if first["type"].startswith("value_error.chat"):
        return Rejection(STATUS.get(first["type"], 400), first["msg"])
    field = str(first["loc"][0])  # pydantic's own error: missing or of the wrong type
    return Rejection(400, str(WRONG_TYPE.get(field, Blank)(field=field)))
