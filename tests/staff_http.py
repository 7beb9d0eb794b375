"""Helpers for the staff console tests: Basic auth headers and a multipart
form body (urllib has no multipart encoder)."""

from __future__ import annotations

import base64
import secrets
from typing import Dict, Tuple


def basic_auth(password: str, user: str = "staff") -> Dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def multipart(field: str, filename: str, content: bytes) -> Tuple[bytes, str]:
    """(body, content type) of a form with one file field."""
    boundary = "staff-" + secrets.token_hex(8)
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
