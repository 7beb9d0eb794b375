"""Phone numbers and links in a text, and those content/contacts.yml knows.
Answers may only carry numbers and links of contacts.yml."""
from __future__ import annotations

import re
from typing import Dict, Set

# Phone-like: three or more digits, maybe with spaces or hyphens; not part of
# a number like 60.000 or 3,8, and not a year.
PHONE = re.compile(r"(?<![\w.,-])\d[\d -]{1,12}\d(?![\w-]|[.,]\d)")
YEAR = re.compile(r"^(19|20)\d\d$")
URL = re.compile(r"https?://\S+|www\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:nl|org|uk|com|net|eu)\b(?:/\S*)?",
                 re.IGNORECASE)
EMERGENCY = ("emergency_uk", "nhs_111", "emergency_nl")


def phone_numbers(text: str) -> Set[str]:
    """Phone-like numbers of a text (three digits or more, no years)."""
    return {n.strip() for n in PHONE.findall(text)
            if len(re.sub(r"\D", "", n)) >= 3 and not YEAR.match(n.strip())}


def normal_url(url: str) -> str:
    """A link without scheme, `www.`, trailing punctuation or slash, lower case."""
    url = re.sub(r"^(https?://)?(www\.)?", "", url.strip().lower())
    return url.rstrip(".,;:!?)]'\"").rstrip("/")


def links(text: str) -> Set[str]:
    """Links of a text (with or without https://), as written."""
    return {m.group(0).rstrip(".,;:!?)]'\"") for m in URL.finditer(text)}


def known_numbers(organisations: Dict) -> Set[str]:
    """Every phone number of contacts.yml."""
    return {str(o[k]) for o in organisations.values() for k in ("phone", "phone_alt") if o.get(k)}


def emergency_numbers(organisations: Dict) -> Set[str]:
    """The emergency numbers (999, 111, 112) that any answer may name."""
    return {str(organisations[o]["phone"]) for o in EMERGENCY if o in organisations}


def known_links(organisations: Dict) -> Set[str]:
    """Every link of contacts.yml, normalised, and the site of each."""
    found = set()
    for org in organisations.values():
        for key in ("url", "chat_url"):
            if org.get(key):
                found.add(normal_url(str(org[key])))
                found.add(normal_url(str(org[key])).split("/")[0])
    return found
