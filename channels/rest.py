"""The REST channel the website widget talks to, at /webhooks/rest/webhook.

Rasa's own REST channel, with three changes:
- it checks the request and answers bad input with a clear 4xx JSON error
  (`{"error": ...}`) instead of failing inside the server;
- it returns every answer as one message (Rasa's collector splits texts on
  blank lines, which would break an answer and its list into pieces), with
  the `response` it came from and the conversation's `language`, so the
  widget can show escalations distinctly and follow a language switch;
- it marks the first message of a conversation session with
  `metadata.session_start = true`, so the language detector applies the
  metadata's language at session start only (an explicit switch later on
  is not undone by a widget that repeats its metadata), and gives button
  payloads, which skip the NLU components, the metadata's language and
  country as entities. The session start itself stays Rasa's built-in
  action, which works even when the action server is down.
When a custom action fails (the action server is down), the answer gets one
extra message saying part of it is missing, with the helpline
(channels/action_outage.py).
"""
from __future__ import annotations

import json
import logging
import re
import time
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, NamedTuple, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import Restarted, SessionStarted, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.action_outage import outage_notice, watch_action_failures
from channels.memory import freeze_startup_objects
from channels.tracker_store import read_only_tracker
from base.locale import COUNTRY_FOR_LANGUAGE, metadata_locale

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000
MAX_SENDER_CHARS = 128
MAX_METADATA_BYTES = 4096
MAX_BODY_BYTES = 64 * 1024
# Sanic refuses bodies above this with a 413 before reading them all.
MAX_REQUEST_BYTES = 1024 * 1024
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class WholeMessageOutputChannel(CollectingOutputChannel):
    """Collects bot messages without splitting texts on blank lines, each
    tagged with the response it came from (`response`, e.g. utter_red_flag),
    so a client can show escalations distinctly."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        before = len(self.messages)
        await super().send_response(recipient_id, message)
        if message.get("utter_action"):
            for sent in self.messages[before:]:
                sent["response"] = message["utter_action"]


def _is_json(content_type: Optional[Text]) -> bool:
    """Whether a Content-Type names JSON (or is absent, as curl -d may send)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in ("", "application/json", "text/plain", "application/x-www-form-urlencoded") \
        or kind.endswith("+json")


def _valid_unicode(text: Text) -> bool:
    """False for lone surrogates ("\\ud800" in JSON), which no store can encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _without_control_characters(text: Text) -> Text:
    """Control characters (NUL, escape codes...) become spaces; tabs and newlines stay."""
    return CONTROL_CHARACTERS.sub(" ", text)


class Rejection(NamedTuple):
    """Why a request is refused: the HTTP status and a message for the client."""

    status: int
    message: Text


def parse_request(
    body: bytes, content_type: Optional[Text] = "application/json"
) -> Tuple[Optional[Dict[Text, Any]], Optional[Rejection]]:
    """The checked sender, message and metadata of a request body, or the
    first reason to refuse it. Control characters in the message become
    spaces; everything else that is odd is refused with a clear message."""
    if len(body or b"") > MAX_BODY_BYTES:
        return None, Rejection(413, f"The request is larger than {MAX_BODY_BYTES // 1024} kB.")
    if not _is_json(content_type):
        return None, Rejection(415, "The body must be JSON, sent with 'Content-Type: application/json'.")
    try:
        payload = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, Rejection(400, "The body must be JSON (UTF-8).")
    if not isinstance(payload, dict):
        return None, Rejection(400, 'The body must be a JSON object: {"sender": "...", "message": "..."}.')
    sender, message = payload.get("sender"), payload.get("message")
    metadata = payload.get("metadata") or {}
    if not isinstance(sender, str) or not sender.strip():
        return None, Rejection(400, "'sender' must be a non-empty string.")
    if len(sender) > MAX_SENDER_CHARS:
        return None, Rejection(400, f"'sender' is longer than {MAX_SENDER_CHARS} characters.")
    if not _valid_unicode(sender) or not sender.isprintable():
        return None, Rejection(400, "'sender' may only contain printable characters.")
    if not isinstance(message, str) or not message.strip():
        return None, Rejection(400, "'message' must be a non-empty string.")
    if len(message) > MAX_MESSAGE_CHARS:
        return None, Rejection(400, f"'message' is longer than {MAX_MESSAGE_CHARS} characters.")
    if not _valid_unicode(message):
        return None, Rejection(400, "'message' is not valid Unicode text.")
    message = _without_control_characters(message)
    if not message.strip():
        return None, Rejection(400, "'message' must be a non-empty string.")
    if not isinstance(metadata, dict):
        return None, Rejection(400, "'metadata' must be a JSON object.")
    if not _valid_unicode(json.dumps(metadata, ensure_ascii=False)) \
            or len(json.dumps(metadata)) > MAX_METADATA_BYTES:
        return None, Rejection(400, f"'metadata' is larger than {MAX_METADATA_BYTES} bytes or not valid Unicode.")
    return {"sender": sender.strip(), "message": message, "metadata": metadata}, None


def starts_session(events: List[Any], expiration_minutes: float, now: float) -> bool:
    """Whether a message after `events` starts a new conversation session:
    no user message since the last session start or restart, or the last
    one is older than the session expiration time (as Rasa decides it)."""
    last_user = None
    for event in reversed(events or []):
        if isinstance(event, UserUttered):
            last_user = event
            break
        if isinstance(event, (SessionStarted, Restarted)):
            return True
    if last_user is None:
        return True
    return bool(expiration_minutes) and (now - last_user.timestamp) / 60 > expiration_minutes


def payload_with_locale(text: Text, metadata: Dict[Text, Any]) -> Text:
    """A button payload ("/greet") skips the NLU components, so the metadata's
    language and country are added as its entities ('/greet{"language": "nl"}')."""
    if not text.startswith("/") or "{" in text:
        return text
    language, country = metadata_locale(metadata)
    country = country or COUNTRY_FOR_LANGUAGE.get(language)
    entities = {k: v for k, v in (("language", language), ("country", country)) if v}
    return text + json.dumps(entities) if entities else text


async def stored_tracker(request: Request, sender: Text) -> Tuple[Any, Any]:
    """(the server's agent, the sender's stored tracker, to read only);
    None where there is none."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return agent, None
    return agent, await read_only_tracker(agent.tracker_store, sender)


async def session_flag(request: Request, sender: Text) -> bool:
    """True when this sender's next message starts a session."""
    agent, tracker = await stored_tracker(request, sender)
    expiration = agent.domain.session_config.session_expiration_time if agent and agent.domain else 0
    return starts_session(tracker.events if tracker else [], expiration, time.time())


STORE_MODULES = ("redis", "sqlalchemy", "psycopg2")


def store_unavailable(error: BaseException) -> bool:
    """Whether an error (or what caused it) is a lock or tracker store that
    cannot be reached: a 503, worth a retry, rather than a 500."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (ConnectionError, TimeoutError)) \
                or type(error).__module__.split(".")[0] in STORE_MODULES:
            return True
        error = error.__cause__ or error.__context__
    return False


class SepsisRestInput(RestInput):
    """REST input with request checks and whole messages."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.listener("before_server_start")
        async def limit_request_size(app: Any, _: Any) -> None:
            app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, MAX_REQUEST_BYTES)

        @webhook.listener("after_server_start")  # Rasa loads the model before the server starts
        async def settle_memory(app: Any, _: Any) -> None:
            logger.info("Froze %d start-up objects (garbage collector; channels/memory.py).",
                        freeze_startup_objects())

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            parsed, error = parse_request(request.body, request.headers.get("content-type"))
            if error:
                return response.json({"error": error.message}, status=error.status)
            collector = WholeMessageOutputChannel()
            metadata = {**parsed["metadata"],
                        "session_start": await session_flag(request, parsed["sender"])}
            try:
                with watch_action_failures() as failed_actions:
                    await on_new_message(UserMessage(
                        payload_with_locale(parsed["message"], metadata), collector, parsed["sender"],
                        input_channel=self.name(), metadata=metadata,
                    ))
            except CancelledError:
                logger.error("A message timed out while being handled.")
                return response.json({"error": "The assistant took too long to answer."}, status=503)
            except Exception as error:  # noqa: BLE001 - the user gets a clear error, the log the trace
                logger.exception("A message could not be handled.")
                if store_unavailable(error):
                    return response.json({"error": "The assistant is briefly unavailable. "
                                                   "Please try again in a moment."}, status=503)
                return response.json({"error": "The assistant could not answer this message."}, status=500)
            # One read of the conversation after the answer: for the outage
            # notice and for the language a client follows after a switch.
            _, tracker = await stored_tracker(request, parsed["sender"])
            if failed_actions:  # the action server is down: say so, with the helpline
                collector.messages.append(outage_notice(parsed["sender"], tracker))
            language = tracker.get_slot("language") if tracker else None
            for sent in collector.messages:
                sent["language"] = language
            return response.json(collector.messages)

        return webhook
