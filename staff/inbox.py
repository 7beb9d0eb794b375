"""The staff inbox in the console: the messages users leave for the support
team (stored by the `inbox` package), read and handled by staff.

    GET  .../console/inbox                          the page (console_page/inbox.*)
    GET  .../console/inbox/messages?status=open     the list (urgent first, newest first)
    GET  .../console/inbox/messages/<id>            one message, its contact details and the
                                                    conversation that led to it; audited "opened"
    POST .../console/inbox/messages/<id>/status     {"status": "contacted"|"closed", "note": "..."}
                                                    staff only; audited
    GET  .../console/inbox/audit?message_id=<id>    who opened and handled what

Every route needs the console login (staff/console_http.py); a reader may
read, not handle. Texts are returned as JSON strings, never as HTML. The
inbox is off (a page and 503s saying why) while no country's support team
is turned on or the store cannot be opened.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Sequence, Text

from pydantic import BaseModel, ValidationError, validator
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from chat.request import CONTROL_CHARACTERS, Refused, TooLong, encodable, json_object, rejection
from staff.console_http import READ_ONLY, Guard, json_reply, page_reply

logger = logging.getLogger(__name__)

STATIC = {"inbox.js": "text/javascript", "inbox.css": "text/css"}
LIST_STATUSES = ("open", "contacted", "closed", "all")
HANDLED_STATUSES = ("contacted", "closed")
MAX_NOTE_CHARS = 1000
MAX_TURNS = 200  # the conversation's last turns shown with a message
MAX_ID = 2**31 - 1
AUDIT_FIELDS = ("at", "user", "role", "action", "message_id", "reference", "detail")
STATUS_EXAMPLE = '{"status": "closed", "note": "..."}'
SUMMARY_FIELDS = (
    "id",
    "reference",
    "created_at",
    "country",
    "language",
    "urgent",
    "status",
    "contact_method",
    "preview",
)
DETAIL_FIELDS = SUMMARY_FIELDS + (
    "contact",
    "best_time",
    "text",
    "conversation_id",
    "status_note",
    "handled_by",
    "handled_at",
)


class UnknownStatus(Refused):
    code, msg_template = "chat.status", '\'status\' must be "contacted" or "closed".'


class NotText(Refused):
    code, msg_template = "chat.not_text", "'{field}' must be a string."


class StatusChange(BaseModel):
    """A staff member's handling of a message: the new status and a note."""

    status: Text
    note: Text = ""

    @validator("status", pre=True)
    def _status(cls, value: Any) -> Text:
        if value not in HANDLED_STATUSES:
            raise UnknownStatus()
        return str(value)

    @validator("note", pre=True)
    def _note(cls, value: Any, field: Any) -> Text:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise NotText(field=field.name)
        if not encodable(value):
            raise NotText(field=field.name)
        if len(value) > MAX_NOTE_CHARS:
            raise TooLong(field=field.name, limit=MAX_NOTE_CHARS)
        return CONTROL_CHARACTERS.sub(" ", value).strip()


def status_change(body: Optional[bytes], content_type: Optional[Text]) -> StatusChange:
    """The body as a StatusChange; ValidationError (see chat.request.rejection) if it is not one."""
    fields = json_object(body, content_type, example=STATUS_EXAMPLE)
    return StatusChange(**{name: fields[name] for name in ("status", "note") if name in fields})


def message_id(text: Text) -> Optional[int]:
    """A message id from the path, None unless it is a plain positive number a store can hold."""
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def plain(value: Any) -> Any:
    """A value as JSON: times in ISO 8601 with their zone (naive ones are UTC), enums by value."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def record(item: Any, names: Sequence[Text]) -> Dict[Text, Any]:
    """The named fields of a store result as a JSON object (only those: the
    list never carries contact details)."""
    return {name: plain(getattr(item, name, None)) for name in names}


def turn(event: Any) -> Optional[Dict[Text, Any]]:
    """A user's or the bot's message as {"who", "text", "at"}; None for other events."""
    if not isinstance(event, (UserUttered, BotUttered)):
        return None
    text = event.text or ""
    if not text and isinstance(event, BotUttered):
        titles = [str(button.get("title", "")) for button in (event.data or {}).get("buttons") or []]
        text = f"(buttons: {', '.join(titles)})" if titles else ""
    at = datetime.fromtimestamp(event.timestamp, timezone.utc) if event.timestamp else None
    return {"who": "user" if isinstance(event, UserUttered) else "bot", "text": text, "at": plain(at)}


def turns(tracker: Any) -> List[Dict[Text, Any]]:
    """The user's and the bot's messages of a tracker, as text, oldest first."""
    found = (turn(event) for event in (tracker.events if tracker is not None else []))
    return [said for said in found if said is not None]


async def conversation(request: Request, conversation_id: Optional[Text]) -> Dict[Text, Any]:
    """The conversation that led to a message, from the Rasa server's tracker
    store, if it still keeps it: {"kept": bool, "turns", "omitted", "note"}."""
    store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
    if not conversation_id or store is None:
        return {"kept": False, "turns": [], "omitted": 0, "note": "no longer kept"}
    try:
        # The full tracker, read without taking the live copy a store keeps for the next message.
        found = turns(await store.retrieve_full_tracker(conversation_id))
    except Exception:  # noqa: BLE001 - the message is still shown
        logger.exception("The conversation of an inbox message could not be read.")
        return {"kept": False, "turns": [], "omitted": 0, "note": "could not be read (see the server log)"}
    if not found:
        return {"kept": False, "turns": [], "omitted": 0, "note": "no longer kept"}
    return {"kept": True, "turns": found[-MAX_TURNS:], "omitted": max(0, len(found) - MAX_TURNS), "note": ""}


def teams_turned_on() -> bool:
    """Whether any country's support team has its inbox turned on (content/support_team.yml)."""
    from inbox.settings import COUNTRIES, team

    return any(team(country).enabled for country in COUNTRIES)


def open_store() -> Any:
    from inbox.store import InboxStore

    return InboxStore.from_env()


class InboxOff(Exception):
    """The inbox cannot be used now; the message says why."""


class Inbox:
    """The store, opened on first use (not at the server's start), and why the
    inbox is off when it is: no team turned on, or a store that cannot be
    opened or reached (then tried again on the next request)."""

    def __init__(self, opener: Callable[[], Any] = open_store, turned_on: Callable[[], bool] = teams_turned_on) -> None:
        self._opener, self._turned_on = opener, turned_on
        self._store: Any = None
        self._lock = asyncio.Lock()

    async def store(self) -> Any:
        """The store, or InboxOff."""
        async with self._lock:
            if self._store is None:
                try:
                    on = await asyncio.to_thread(self._turned_on)
                except Exception as error:  # noqa: BLE001 - a clear answer, the trace in the log
                    logger.exception("The support team settings cannot be read.")
                    raise InboxOff("the support team settings cannot be read (see the server log)") from error
                if not on:
                    raise InboxOff("no country's support team is turned on (content/support_team.yml)")
                try:
                    self._store = await asyncio.to_thread(self._opener)
                except Exception as error:  # noqa: BLE001
                    logger.exception("The inbox store cannot be opened.")
                    raise InboxOff("the inbox store cannot be opened (see the server log)") from error
            return self._store

    async def run(self, method: Text, *args: Any, **kwargs: Any) -> Any:
        """A store method, off the event loop (SQL may wait on the network).
        The store's NotFound (a LookupError), PermissionError and InvalidMessage
        (a ValueError) pass; any other failure (a database that cannot be
        reached, a key that does not decrypt) is logged and InboxOff."""
        from inbox.store import InvalidMessage

        store = await self.store()
        try:
            return await asyncio.to_thread(getattr(store, method), *args, **kwargs)
        except (LookupError, PermissionError, InvalidMessage):
            raise
        except Exception as error:  # noqa: BLE001 - a clear answer, the trace in the log
            logger.exception("The inbox store failed.")
            raise InboxOff("the inbox store failed (see the server log)") from error


def off(error: InboxOff) -> HTTPResponse:
    return json_reply({"error": f"the staff inbox is off: {error}", "off": True}, 503)


def add_inbox_routes(console: Blueprint, guard: Guard, inbox: Optional[Inbox] = None) -> None:
    """Add the inbox's routes to the console's blueprint."""
    inbox = inbox or Inbox()

    @console.route("/inbox", methods=["GET"])
    @guard.protected
    async def inbox_page(request: Request) -> HTTPResponse:
        if request.path.endswith("/"):  # the page's links are relative to the console's folder
            return response.redirect(request.path.rstrip("/"))
        try:
            await inbox.store()
        except InboxOff as error:
            return page_reply("inbox_off.html", 503, reason=str(error))
        return page_reply("inbox.html")

    @console.route("/inbox/messages", methods=["GET"])
    @guard.protected
    async def listing(request: Request) -> HTTPResponse:
        status = request.args.get("status", "open")
        if status not in LIST_STATUSES:
            return json_reply({"error": f"'status' must be one of {', '.join(LIST_STATUSES)}"}, 400)
        try:
            found = await inbox.run("list", status=None if status == "all" else status)
        except InboxOff as error:
            return off(error)
        login = request.ctx.login
        return json_reply(
            {
                "login": {"user": login.user, "role": login.role, "can_handle": login.can_handle},
                "status": status,
                "messages": [record(summary, SUMMARY_FIELDS) for summary in found],
            }
        )

    @console.route("/inbox/messages/<ident:str>", methods=["GET"])
    @guard.protected
    async def detail(request: Request, ident: Text) -> HTTPResponse:
        number = message_id(ident)
        if number is None:
            return json_reply({"error": "a message id is a positive number"}, 404)
        login = request.ctx.login
        try:
            found = await inbox.run("open", number, user=login.user, role=login.role)
        except InboxOff as error:
            return off(error)
        except LookupError:
            return json_reply({"error": f"there is no message {number}"}, 404)
        message = record(found, DETAIL_FIELDS)
        return json_reply({**message, "conversation": await conversation(request, message["conversation_id"])})

    @console.route("/inbox/messages/<ident:str>/status", methods=["POST"])
    @guard.staff_only
    async def handle(request: Request, ident: Text) -> HTTPResponse:
        number = message_id(ident)
        if number is None:
            return json_reply({"error": "a message id is a positive number"}, 404)
        try:
            change = status_change(request.body, request.headers.get("content-type"))
        except ValidationError as error:
            refused = rejection(error)
            return json_reply(refused.body, refused.status)
        login = request.ctx.login
        try:
            await inbox.run("mark", number, change.status, change.note, user=login.user, role=login.role)
        except InboxOff as error:
            return off(error)
        except PermissionError:
            return json_reply({"error": READ_ONLY}, 403)
        except LookupError:
            return json_reply({"error": f"there is no message {number}"}, 404)
        except ValueError as error:  # the store's InvalidMessage
            return json_reply({"error": str(error)}, 400)
        return json_reply({"id": number, "status": change.status, "note": change.note, "handled_by": login.user})

    @console.route("/inbox/audit", methods=["GET"])
    @guard.protected
    async def audit(request: Request) -> HTTPResponse:
        ident = request.args.get("message_id")
        number = message_id(ident) if ident is not None else None
        if ident is not None and number is None:
            return json_reply({"error": "'message_id' must be a positive number"}, 400)
        try:
            entries = await inbox.run("audit", message_id=number)
        except InboxOff as error:
            return off(error)
        return json_reply({"entries": [record(entry, AUDIT_FIELDS) for entry in entries]})
