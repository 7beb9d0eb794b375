"""The REST channel the website widget talks to, at /webhooks/rest/webhook.

Rasa's own REST channel, with two changes:
- it checks the request (chat/request.py) and answers bad input with a
  clear 4xx JSON error (`{"error": ...}`) instead of failing inside the server;
- it returns every answer as one message (Rasa's collector splits texts on
  blank lines, which would break an answer and its list into pieces), with
  the `response` it came from and the conversation's `language`, read from
  the tracker Rasa answered in (rasa_ext.session), so the widget can show
  escalations distinctly and follow a language switch.
The metadata's language and country become the conversation's at the start
of a session, inside Rasa's own handling (rasa_ext.session); creating the
channel turns the project's pieces of Rasa internals on (rasa_ext).
When a custom action fails (the action server is down), the answer gets one
extra message saying part of it is missing, with the helpline
(channels/action_outage.py).
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from pydantic import ValidationError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import rasa_ext
from channels.action_outage import outage_notice
from channels.memory import freeze_startup_objects
from chat.output import WholeMessageOutputChannel
from chat.request import ChatRequest, rejection
from rasa_ext.action_failures import watch_action_failures
from rasa_ext.session import Handled
from rasa_ext.session import handled as handled_tracker

logger = logging.getLogger(__name__)

# Sanic refuses bodies above this with a 413 before reading them all.
MAX_REQUEST_BYTES = 1024 * 1024


async def conversation(request: Request, sender: Text, handled: Handled) -> Optional[DialogueStateTracker]:
    """The conversation after the answer: the tracker Rasa handled the message
    in (rasa_ext's handled_tracker), or, with that piece off, the store's."""
    if handled.tracker is not None:
        return handled.tracker
    agent = getattr(request.app.ctx, "agent", None)
    return await agent.tracker_store.retrieve(sender) if agent and agent.tracker_store else None


STORE_MODULES = ("redis", "sqlalchemy", "psycopg2")


def store_unavailable(error: BaseException) -> bool:
    """Whether an error (or what caused it) is a lock or tracker store that
    cannot be reached: a 503, worth a retry, rather than a 500."""
    seen = set()
    current: Optional[BaseException] = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if (
            isinstance(current, (ConnectionError, TimeoutError))
            or type(current).__module__.split(".")[0] in STORE_MODULES
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


class SepsisRestInput(RestInput):
    """REST input with request checks and whole messages."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SepsisRestInput":
        """The channel, as the Rasa server creates it before loading the
        model: the project's pieces of Rasa internals go on now (rasa_ext)."""
        rasa_ext.install()
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.listener("before_server_start")
        async def limit_request_size(app: Any, _: Any) -> None:
            app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, MAX_REQUEST_BYTES)

        @webhook.listener("after_server_start")  # Rasa loads the model before the server starts
        async def settle_memory(app: Any, _: Any) -> None:
            logger.info("Froze %d start-up objects (garbage collector; channels/memory.py).", freeze_startup_objects())

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                chat = ChatRequest.from_body(request.body, request.headers.get("content-type"))
            except ValidationError as error:
                refused = rejection(error)
                return response.json(refused.body, status=refused.status)
            collector = WholeMessageOutputChannel()
            try:
                with watch_action_failures() as failed_actions, handled_tracker() as handled:
                    await on_new_message(
                        UserMessage(
                            chat.message,
                            collector,
                            chat.sender,
                            input_channel=self.name(),
                            metadata=chat.metadata,
                        )
                    )
            except CancelledError:
                logger.error("A message timed out while being handled.")
                return response.json({"error": "The assistant took too long to answer."}, status=503)
            except Exception as error:  # noqa: BLE001 - the user gets a clear error, the log the trace
                logger.exception("A message could not be handled.")
                if store_unavailable(error):
                    return response.json(
                        {"error": "The assistant is briefly unavailable. Please try again in a moment."}, status=503
                    )
                return response.json({"error": "The assistant could not answer this message."}, status=500)
            # The conversation Rasa answered in: for the outage notice and for
            # the language a client follows after a switch.
            tracker = await conversation(request, chat.sender, handled)
            if failed_actions:  # the action server is down: say so, with the helpline
                collector.messages.append(outage_notice(chat.sender, tracker))
            language = tracker.get_slot("language") if tracker else None
            for sent in collector.messages:
                sent["language"] = language
            return response.json(collector.messages)

        return webhook
