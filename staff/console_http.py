"""What the staff console's routes (console.py, inbox.py) share: the
login and its roles, the response headers, the folder of the pages.

Two passwords, both from the environment, with HTTP Basic auth:

- STAFF_CONSOLE_PASSWORD: role "staff", may read and handle (the console
  is off, every route 403, without it);
- STAFF_CONSOLE_READONLY_PASSWORD (optional): role "reader", may read but
  not handle: a route for staff answers a reader 403.

The Basic-auth user name is who did it in the inbox's audit log (cleaned,
at most 64 characters; empty means the role's name).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from functools import wraps
from html import escape
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, NamedTuple, Optional, Text, Tuple

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

PASSWORD_ENV = "STAFF_CONSOLE_PASSWORD"
READER_PASSWORD_ENV = "STAFF_CONSOLE_READONLY_PASSWORD"
PAGE_DIR = Path(__file__).resolve().parent / "console_page"
STAFF, READER = "staff", "reader"
MAX_USER_CHARS = 64
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
PAGE_CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
READ_ONLY = "this login is read-only: handling needs the staff password"
CHALLENGE = {"WWW-Authenticate": 'Basic realm="staff console", charset="UTF-8"'}

Handler = Callable[..., Awaitable[HTTPResponse]]


class Login(NamedTuple):
    """Who is logged in: the user name for the audit log and the role."""

    user: Text
    role: Text

    @property
    def can_handle(self) -> bool:
        return self.role == STAFF


def text_reply(message: Text, status: int, **headers: Text) -> HTTPResponse:
    return response.text(message + "\n", status=status, headers={**PAGE_HEADERS, **headers})


def json_reply(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, headers=PAGE_HEADERS)


def page_reply(name: Text, status: int = 200, **fill: Text) -> HTTPResponse:
    """A page of PAGE_DIR, under the console's Content-Security-Policy; each
    `{key}` in it replaced by `fill[key]`, escaped."""
    html = (PAGE_DIR / name).read_text(encoding="utf-8")
    for key, value in fill.items():
        html = html.replace("{" + key + "}", escape(value))
    return response.html(html, status=status, headers={**PAGE_HEADERS, "Content-Security-Policy": PAGE_CSP})


def basic_credentials(header: Optional[Text]) -> Optional[Tuple[Text, Text]]:
    """(user, password) of an `Authorization: Basic ...` header, None if it is not one."""
    if not header or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, _, password = decoded.partition(":")
    return user, password


def same(given: Text, password: Text) -> bool:
    """Constant-time comparison; an empty password matches nothing."""
    return bool(password) and hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))


def password_matches(header: Optional[Text], password: Text) -> bool:
    """Whether an `Authorization: Basic ...` header carries the password (any user name)."""
    credentials = basic_credentials(header)
    return credentials is not None and same(credentials[1], password)


def audit_name(user: Text, role: Text) -> Text:
    """The user name as the audit log records it: printable, trimmed, short."""
    cleaned = "".join(c for c in user if c.isprintable()).strip()[:MAX_USER_CHARS]
    return cleaned or role


def login_for(header: Optional[Text], passwords: Dict[Text, Text]) -> Optional[Login]:
    """The login a header carries, given each role's password; None if none matches.
    Every password is compared, so the time taken does not tell which one matched."""
    credentials = basic_credentials(header)
    if credentials is None:
        return None
    user, given = credentials
    matched = [role for role, password in passwords.items() if same(given, password)]
    role = STAFF if STAFF in matched else (matched[0] if matched else None)
    return Login(audit_name(user, role), role) if role else None


class Guard:
    """Route wrappers: `protected` for any login, `staff_only` for handling.
    The login is left in `request.ctx.login`."""

    def __init__(self, staff_password: Text, reader_password: Text = "") -> None:
        self.passwords = {STAFF: staff_password, READER: reader_password}

    def protected(self, handler: Handler) -> Handler:
        """403 when no staff password is configured, 401 without a right one."""

        @wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            if not self.passwords[STAFF]:
                return text_reply(f"console disabled: set {PASSWORD_ENV}", 403)
            login = login_for(request.headers.get("authorization"), self.passwords)
            if login is None:
                return text_reply("wrong or missing password", 401, **CHALLENGE)
            request.ctx.login = login
            return await handler(request, *args, **kwargs)

        return guarded

    def staff_only(self, handler: Handler) -> Handler:
        """As `protected`, and a reader gets 403 JSON."""

        @wraps(handler)
        async def for_staff(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            if not request.ctx.login.can_handle:
                return json_reply({"error": READ_ONLY}, 403)
            return await handler(request, *args, **kwargs)

        return self.protected(for_staff)
