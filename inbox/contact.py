"""Phone numbers and e-mail addresses people type, checked and written one
way, so "06-12345678", "+31 6 1234 5678" and "0031612345678" are the same
address for the per-address limit (and a phone number is callable)."""

from __future__ import annotations

import re
from typing import Optional

COUNTRY_CODES = {"NL": "31", "UK": "44"}
# Digits after the country code of a national number.
NATIONAL_DIGITS = {"31": (9, 9), "44": (9, 10)}
MAX_EMAIL = 254
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-/]+$")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]{1,64}$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9\-]{1,63}(?<!-)$")


def parse_phone(text: object, country: str) -> Optional[str]:
    """The number in international form (+31612345678), or None when `text`
    is not a phone number. A leading 0 is the trunk prefix of `country`
    (NL or UK); 00 and + start an international number; "(0)" is dropped."""
    if not isinstance(text, str) or len(text) > 40 or not _PHONE_CHARS.match(text.strip()):
        return None
    compact = re.sub(r"[\s.\-/]", "", text.strip()).replace("(0)", "")
    if "(" in compact or ")" in compact:
        compact = compact.replace("(", "").replace(")", "")
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):
        digits = compact[2:]
    elif compact.startswith("0") and country in COUNTRY_CODES:
        digits = COUNTRY_CODES[country] + compact[1:]
    else:
        return None
    if not digits.isdigit() or digits.startswith("0"):
        return None
    for code, (shortest, longest) in NATIONAL_DIGITS.items():
        if digits.startswith(code):
            national = digits[len(code) :]
            if not shortest <= len(national) <= longest or national.startswith("0"):
                return None
            return "+" + digits
    return "+" + digits if 8 <= len(digits) <= 15 else None


def parse_email(text: object) -> Optional[str]:
    """The address with its domain in lower case, or None when `text` is not
    an e-mail address."""
    if not isinstance(text, str):
        return None
    address = text.strip().removeprefix("mailto:")
    if len(address) > MAX_EMAIL or address.count("@") != 1:
        return None
    local, domain = address.split("@")
    labels = domain.split(".")
    if not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or not labels[-1].isalpha():
        return None
    return f"{local}@{domain.lower()}"


def parse_contact(method: str, text: object, country: str) -> Optional[str]:
    """The checked address for a contact method ("phone" or "email")."""
    if method == "phone":
        return parse_phone(text, country)
    if method == "email":
        return parse_email(text)
    return None


def address_key(method: str, contact: str) -> str:
    """The form of a checked address that the per-address limit counts:
    e-mail in lower case without a +tag (a+1@x and A@x are one mailbox)."""
    if method == "email":
        local, domain = contact.lower().split("@")
        return "email:" + (local.split("+")[0] or local) + "@" + domain
    return "phone:" + contact
