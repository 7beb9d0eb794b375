"""The chat request schema and its error mapper (chat/request.py): every
rule gives the 4xx status and `error` text clients have always had, the
first broken rule wins, and a good request passes through unchanged."""

from __future__ import annotations

import json
from typing import Any, Optional, Tuple

import pytest
from pydantic import ValidationError

from chat.request import (
    CHAT_EXAMPLE,
    CONTROL_CHARACTERS,
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    MAX_METADATA_BYTES,
    MAX_SENDER_CHARS,
    ChatRequest,
    Rejection,
    json_object,
    rejection,
)
from rasa_ext.session import session_locale


def body(**payload: Any) -> bytes:
    return json.dumps(payload).encode()


def parse(
    raw: bytes, content_type: Optional[str] = "application/json"
) -> Tuple[Optional[ChatRequest], Optional[Rejection]]:
    """(the request, None) or (None, the rejection the mapper makes of its error)."""
    try:
        return ChatRequest.from_body(raw, content_type), None
    except ValidationError as error:
        return None, rejection(error)


NOT_JSON = "The body must be JSON (UTF-8)."
NO_OBJECT = 'The body must be a JSON object: {"sender": "...", "message": "..."}.'
SENDER_BLANK = "'sender' must be a non-empty string."
MESSAGE_BLANK = "'message' must be a non-empty string."
METADATA_TYPE = "'metadata' must be a JSON object."
METADATA_SIZE = "'metadata' is larger than 4096 bytes or not valid Unicode."

REFUSED = {
    # the body
    "too large": (body(sender="a", message="x" * 70_000), "application/json", 413, "The request is larger than 64 kB."),
    "form data": (
        b"sender=a&message=hi",
        "multipart/form-data; boundary=x",
        415,
        "The body must be JSON, sent with 'Content-Type: application/json'.",
    ),
    "xml": (
        body(sender="a", message="hi"),
        "application/xml",
        415,
        "The body must be JSON, sent with 'Content-Type: application/json'.",
    ),
    "binary": (
        bytes(range(256)),
        "application/octet-stream",
        415,
        "The body must be JSON, sent with 'Content-Type: application/json'.",
    ),
    "binary sent as JSON": (bytes(range(256)), "application/json", 400, NOT_JSON),
    "invalid UTF-8": (b'{"sender": "a", "message": "\xc3\x28 moe"}', "application/json", 400, NOT_JSON),
    "malformed JSON": (b"{not json", "application/json", 400, NOT_JSON),
    "deeply nested": (b"[" * 10_000 + b"]" * 10_000, "application/json", 400, NOT_JSON),
    "empty": (b"", "application/json", 400, NO_OBJECT),
    "null": (b"null", "application/json", 400, NO_OBJECT),
    "array": (b"[1, 2]", "application/json", 400, NO_OBJECT),
    "pairs, not an object": (b'[["sender", "a"], ["message", "hi"]]', "application/json", 400, NO_OBJECT),
    "string": (b'"hallo"', "application/json", 400, NO_OBJECT),
    # the sender
    "no sender": (body(message="hi"), "application/json", 400, SENDER_BLANK),
    "empty sender": (body(sender="", message="hi"), "application/json", 400, SENDER_BLANK),
    "blank sender": (body(sender=" \t", message="hi"), "application/json", 400, SENDER_BLANK),
    "sender is a number": (body(sender=5, message="hi"), "application/json", 400, SENDER_BLANK),
    "sender is null": (body(sender=None, message="hi"), "application/json", 400, SENDER_BLANK),
    "sender is an object": (body(sender={"id": 1}, message="hi"), "application/json", 400, SENDER_BLANK),
    "sender is true": (body(sender=True, message="hi"), "application/json", 400, SENDER_BLANK),
    "long sender": (
        body(sender="x" * (MAX_SENDER_CHARS + 1), message="hi"),
        "application/json",
        400,
        "'sender' is longer than 128 characters.",
    ),
    "sender with NUL": (
        b'{"sender": "a\\u0000b", "message": "hi"}',
        "application/json",
        400,
        "'sender' may only contain printable characters.",
    ),
    "sender with a newline": (
        body(sender="a\nb", message="hi"),
        "application/json",
        400,
        "'sender' may only contain printable characters.",
    ),
    "sender with a lone surrogate": (
        b'{"sender": "a\\ud800", "message": "hi"}',
        "application/json",
        400,
        "'sender' may only contain printable characters.",
    ),
    # the message
    "no message": (body(sender="a"), "application/json", 400, MESSAGE_BLANK),
    "blank message": (body(sender="a", message=" \n\t "), "application/json", 400, MESSAGE_BLANK),
    "message is a list": (body(sender="a", message=["hi"]), "application/json", 400, MESSAGE_BLANK),
    "message is a number": (body(sender="a", message=42), "application/json", 400, MESSAGE_BLANK),
    "message is null": (body(sender="a", message=None), "application/json", 400, MESSAGE_BLANK),
    "only control characters": (body(sender="a", message="\x00\x1b "), "application/json", 400, MESSAGE_BLANK),
    "long message": (
        body(sender="a", message="x" * (MAX_MESSAGE_CHARS + 1)),
        "application/json",
        400,
        "'message' is longer than 5000 characters.",
    ),
    "lone surrogate": (
        b'{"sender": "a", "message": "\\ud800"}',
        "application/json",
        400,
        "'message' is not valid Unicode text.",
    ),
    # the metadata
    "metadata is a string": (body(sender="a", message="hi", metadata="nl"), "application/json", 400, METADATA_TYPE),
    "metadata is a list": (body(sender="a", message="hi", metadata=["nl"]), "application/json", 400, METADATA_TYPE),
    "metadata is pairs": (
        body(sender="a", message="hi", metadata=[["language", "nl"]]),
        "application/json",
        400,
        METADATA_TYPE,
    ),
    "metadata is a number": (body(sender="a", message="hi", metadata=7), "application/json", 400, METADATA_TYPE),
    "large metadata": (
        body(sender="a", message="hi", metadata={"x": "y" * 5000}),
        "application/json",
        400,
        METADATA_SIZE,
    ),
    "metadata with a lone surrogate": (
        b'{"sender": "a", "message": "hi", "metadata": {"x": "\\udc80"}}',
        "application/json",
        400,
        METADATA_SIZE,
    ),
    # the first broken rule is the one named
    "bad sender and message": (body(sender="", message=""), "application/json", 400, SENDER_BLANK),
    "bad message and metadata": (body(sender="a", message="", metadata="x"), "application/json", 400, MESSAGE_BLANK),
}


@pytest.mark.parametrize("raw,content_type,status,error", REFUSED.values(), ids=REFUSED.keys())
def test_each_rule_gives_its_status_and_error(raw: bytes, content_type: str, status: int, error: str) -> None:
    parsed, refused = parse(raw, content_type)
    assert parsed is None
    assert refused == Rejection(status, error)
    assert refused.body == {"error": error}


@pytest.mark.parametrize(
    "text",
    [
        "hallo",
        "<script>alert(1)</script><b onclick=x>hi</b>",
        "🙂 ik ben moe 😢",
        "مرحبا",
        "\u202eשלום",
        "hair\u200b loss",
        "x" * MAX_MESSAGE_CHARS,
        "  first line\n\tsecond line  ",
    ],
)
def test_a_good_request_passes_unchanged(text: str) -> None:
    metadata = {"language": "nl", "country": "NL", "extra": {"nested": [1, None, "🙂"]}}
    parsed, refused = parse(body(sender=" 🙂-a ", message=text, metadata=metadata))
    assert refused is None
    assert parsed.dict() == {"sender": "🙂-a", "message": text, "metadata": metadata}
    assert (parsed.language, parsed.country) == ("nl", "NL")


def test_control_characters_in_a_message_become_spaces_and_tabs_and_newlines_stay() -> None:
    parsed, _ = parse(body(sender="a", message="ik ben\x00moe\x1b[31m\nnu\tdan\x7f\x9f"))
    assert parsed.message == "ik ben moe [31m\nnu\tdan  "
    assert not CONTROL_CHARACTERS.search(parsed.message)


@pytest.mark.parametrize("sender", ["x" * MAX_SENDER_CHARS, "🙂-visitor", "../../etc/passwd", "%00%2F"])
def test_odd_but_printable_senders_are_kept(sender: str) -> None:
    assert parse(body(sender=sender, message="hi"))[0].sender == sender


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/vnd.api+json",
    ],
)
def test_json_is_accepted_with_the_content_types_clients_send(content_type: Optional[str]) -> None:
    parsed, refused = parse(body(sender="a", message="hoi"), content_type)
    assert refused is None and parsed.message == "hoi"


@pytest.mark.parametrize("metadata", [None, {}, [], "", 0, False])
def test_missing_or_empty_metadata_is_none(metadata: Any) -> None:
    assert parse(body(sender="a", message="hi", metadata=metadata))[0].metadata == {}


def test_the_limits_are_inclusive() -> None:
    room = MAX_METADATA_BYTES - len(json.dumps({"x": ""}))
    assert parse(body(sender="a", message="hi", metadata={"x": "y" * room}))[0] is not None
    assert parse(body(sender="a", message="hi", metadata={"x": "y" * (room + 1)}))[1].message == METADATA_SIZE
    # the metadata counts in JSON's ASCII escapes: "é" is 6 bytes there
    assert parse(body(sender="a", message="hi", metadata={"x": "é" * (room // 6 + 1)}))[1].message == METADATA_SIZE
    padded = body(sender="a", message="hi", pad="p" * MAX_BODY_BYTES)[:MAX_BODY_BYTES]
    assert parse(padded)[1].status == 400  # at the limit: read (and not JSON, cut short)
    assert parse(padded + b"}")[1].status == 413


def test_an_unknown_language_or_country_is_kept_and_ignored_as_today() -> None:
    """The REST channel never refused a locale: a browser's "de-DE" gets the
    language detector's choice. A session starts only with what it knows."""
    metadata = {"language": "de-DE", "country": "BE", "session_start": True}
    parsed, refused = parse(body(sender="a", message="hallo", metadata=metadata))
    assert refused is None and parsed.metadata == metadata and parsed.language == "de-DE"
    assert session_locale(parsed.metadata) == []
    parsed, _ = parse(body(sender="a", message="hallo", metadata={"language": 5, "country": ["NL"]}))
    assert parsed.metadata == {"language": 5, "country": ["NL"]}


@pytest.mark.parametrize(
    "raw",
    [
        body(sender="a", message="hi", __pydantic_self__=1, fields=2, dict=3),
        body(sender="a", message="hi", metadata={"dict": 1, "copy": 2, "__root__": 3, "": 4}),
    ],
)
def test_odd_keys_are_ignored_or_kept_as_data(raw: bytes) -> None:
    parsed, refused = parse(raw)
    assert refused is None and set(parsed.dict()) == {"sender", "message", "metadata"}
    assert parsed.metadata == json.loads(raw).get("metadata", {})


def test_a_json_object_names_the_shape_the_caller_expects() -> None:
    with pytest.raises(ValidationError) as raised:
        json_object(b"[]", "application/json", example='{"text": "..."}')
    assert rejection(raised.value) == Rejection(400, 'The body must be a JSON object: {"text": "..."}.')
    assert CHAT_EXAMPLE in NO_OBJECT


def test_a_checked_request_cannot_be_changed_afterwards() -> None:
    parsed, _ = parse(body(sender="a", message="hi"))
    with pytest.raises(TypeError):
        parsed.message = "\x00"


def test_the_mapper_names_the_field_of_pydantics_own_errors() -> None:
    """Errors pydantic raises itself (a missing field, a wrong type) get the field's own text."""
    with pytest.raises(ValidationError) as raised:
        ChatRequest(sender="a")
    assert raised.value.errors()[0]["type"] == "value_error.missing"
    assert rejection(raised.value) == Rejection(400, MESSAGE_BLANK)
    with pytest.raises(ValidationError) as raised:
        ChatRequest(sender=b"a", message="hi")
    assert rejection(raised.value) == Rejection(400, SENDER_BLANK)
