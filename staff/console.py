"""The staff console at /webhooks/console/: a password-protected page where
helpline staff check what the assistant answers, without creating a
conversation (the engine is staff/engine.py), upload a CSV for the
batch report (staff/batch_check.py), and handle the messages users leave
for the support team (the inbox, staff/inbox.py).

Off unless the environment variable STAFF_CONSOLE_PASSWORD is set: then
every route answers 403. With it, every route needs HTTP Basic auth with
that password (role "staff") or STAFF_CONSOLE_READONLY_PASSWORD (role
"reader": may read and check, not handle inbox messages); a wrong one gets
401 (staff/console_http.py). Routes:

    GET  /webhooks/console/          the page (staff/console_page/)
    POST /webhooks/console/check     {"text", "language", "country"?} -> the check as JSON
    POST /webhooks/console/batch     multipart form, field "csv" -> report.html
    .../console/inbox...             the staff inbox (staff/inbox.py)

A check's text is held to the chat rules (chat/request.py): bad input gets
the REST channel's 4xx JSON errors; a language other than nl or en, or a
country other than NL or UK, a 400 from the engine.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Awaitable, Callable, Optional, Text

from pydantic import ValidationError
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from chat.request import ChatRequest, json_object, rejection
from staff.batch import CsvError, read_csv
from staff.batch_check import build_reports
from staff.console_http import (
    PAGE_DIR,
    PAGE_HEADERS,
    PASSWORD_ENV,
    READER_PASSWORD_ENV,
    Guard,
    page_reply,
    text_reply,
)
from staff.engine import check_message
from staff.inbox import STATIC as INBOX_STATIC
from staff.inbox import add_inbox_routes
from staff.settings import load_settings

logger = logging.getLogger(__name__)

CHECK_EXAMPLE = '{"text": "...", "language": "nl"}'
STATIC = {"console.js": "text/javascript", "console.css": "text/css", **INBOX_STATIC}
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'"


def check_request(body: bytes, content_type: Optional[Text]) -> ChatRequest:
    """A check's {"text", "language", "country"} as a chat request, under the
    REST channel's rules; ValidationError (see chat.request.rejection) if not."""
    fields = json_object(body, content_type, example=CHECK_EXAMPLE)
    return ChatRequest.parse_obj(
        {
            "sender": "staff-console",
            "message": fields.get("text"),
            "metadata": {"language": fields.get("language"), "country": fields.get("country")},
        }
    )


class StaffConsoleInput(InputChannel):
    """The staff console, mounted in the Rasa server like any input channel."""

    @classmethod
    def name(cls) -> Text:
        return "console"

    def __init__(self, password: Optional[Text] = None, reader_password: Optional[Text] = None) -> None:
        self.password = os.environ.get(PASSWORD_ENV, "") if password is None else password
        reader = os.environ.get(READER_PASSWORD_ENV, "") if reader_password is None else reader_password
        self.guard = Guard(self.password, reader)
        self.protected = self.guard.protected
        self.settings = load_settings()
        self._batch_lock = asyncio.Lock()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        console = Blueprint("staff_console", __name__)

        @console.route("/", methods=["GET"])
        @self.protected
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):  # the page's links are relative to the folder
                return response.redirect(request.path + "/")
            return page_reply("index.html")

        @console.route("/<name:str>", methods=["GET"])
        @self.protected
        async def static(request: Request, name: Text) -> HTTPResponse:
            if not name:  # Sanic routes ".../console/" here, ".../console" to page()
                return await page.__wrapped__(request)
            if name not in STATIC:
                return text_reply("not found", 404)
            return response.text(
                (PAGE_DIR / name).read_text(encoding="utf-8"),
                content_type=f"{STATIC[name]}; charset=utf-8",
                headers=PAGE_HEADERS,
            )

        @console.route("/check", methods=["POST"])
        @self.protected
        async def check(request: Request) -> HTTPResponse:
            agent = request.app.ctx.agent
            try:
                chat = check_request(request.body, request.headers.get("content-type"))
            except ValidationError as error:
                refused = rejection(error)
                return response.json(refused.body, status=refused.status)
            if agent is None or not agent.is_ready():
                return response.json({"error": "no model is loaded yet"}, status=503)
            try:
                result = await check_message(agent, chat.message.strip(), chat.language, chat.country)
            except ValueError as error:
                return response.json({"error": str(error)}, status=400)
            except Exception:  # noqa: BLE001 - staff get a clear error, the log the trace
                logger.exception("A console check failed.")
                return response.json({"error": "the check failed; see the server log"}, status=500)
            return response.json(result.as_dict(), headers=PAGE_HEADERS)

        @console.route("/batch", methods=["POST"])
        @self.protected
        async def batch(request: Request) -> HTTPResponse:
            limit = self.settings.max_upload_bytes
            if len(request.body or b"") > limit + 4096:
                return text_reply(f"the file is larger than {limit // 1000} kB", 413)
            upload = request.files.get("csv") if request.files else None
            if upload is None:
                return text_reply('send the CSV as the multipart form field "csv"', 400)
            if len(upload.body) > limit:
                return text_reply(f"the file is larger than {limit // 1000} kB", 413)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return text_reply("no model is loaded yet", 503)
            try:
                rows = read_csv(upload.body, agent.domain.intents, self.settings.max_rows)
            except CsvError as error:
                return text_reply(f"The CSV cannot be checked:\n{error}", 400)
            if self._batch_lock.locked():
                return text_reply("another batch check is running; try again when it is done", 429)
            async with self._batch_lock:
                reports = await build_reports(agent, rows, self.settings, upload.name or "upload.csv")
            return response.html(reports.html, headers={**PAGE_HEADERS, "Content-Security-Policy": REPORT_CSP})

        add_inbox_routes(console, self.guard)
        return console
