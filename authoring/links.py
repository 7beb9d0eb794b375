"""Phone numbers and links in a text, and those content/contacts.yml knows.
Answers may only carry numbers and links of contacts.yml; topic answers only
those of the urgent contacts (URGENT), the rest comes from the signposts."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set

# Phone-like: three or more digits, maybe with spaces or hyphens; not part of
# a number like 60.000 or 3,8, and not a year.
PHONE = re.compile(r"(?<![\w.,-])\d[\d -]{1,12}\d(?![\w-]|[.,]\d)")
YEAR = re.compile(r"^(19|20)\d\d$")
# The upper end of a range ("30 to 150 hairs", "30 tot 150 haren") is an amount.
RANGE = re.compile(r"\d\s+(?:to|tot)\s+$", re.IGNORECASE)
URL = re.compile(
    r"https?://\S+|www\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:nl|org|uk|com|net|eu)\b(?:/\S*)?", re.IGNORECASE
)
# The urgent contacts: the one list of contacts whose numbers and links a
# topic answer may name itself (every other contact is left to the topic's
# signposts), with what each is for:
#   emergency: life-threatening, happening now (999, 112)
#   advice:    worried, not sure it is urgent (NHS 111)
#   crisis:    thoughts of suicide or self-harm (Samaritans, 113)
URGENT: Dict[str, str] = {
    "emergency_uk": "emergency",
    "nhs_111": "advice",
    "samaritans": "crisis",
    "emergency_nl": "emergency",
    "zelfmoordpreventie_113": "crisis",
}


def phone_numbers(text: str) -> Set[str]:
    """Phone-like numbers of a text (three digits or more, no years, not
    the upper end of a range)."""
    return {
        m.group(0).strip()
        for m in PHONE.finditer(text)
        if len(re.sub(r"\D", "", m.group(0))) >= 3
        and not YEAR.match(m.group(0).strip())
        and not RANGE.search(text[max(0, m.start() - 12) : m.start()])
    }


def normal_url(url: str) -> str:
    """A link without scheme, `www.`, trailing punctuation or slash, lower case."""
    url = re.sub(r"^(https?://)?(www\.)?", "", url.strip().lower())
    return url.rstrip(".,;:!?)]'\"").rstrip("/")


def links(text: str) -> Set[str]:
    """Links of a text (with or without https://), as written."""
    return {m.group(0).rstrip(".,;:!?)]'\"") for m in URL.finditer(text)}


def known_numbers(organisations: Dict) -> Set[str]:
    """Every phone number of contacts.yml."""
    return {n for org in organisations.values() for n in numbers_of(org)}


def urgent(organisations: Dict, kind: Optional[str] = None, country: Optional[str] = None) -> List[str]:
    """Ids of the urgent contacts of contacts.yml, maybe of one kind
    (emergency, advice, crisis) and one country (UK, NL)."""
    return [
        o
        for o, k in URGENT.items()
        if o in organisations and kind in (None, k) and country in (None, organisations[o].get("country"))
    ]


def numbers_of(org: Dict) -> Set[str]:
    """A contact's phone numbers (phone and phone_alt)."""
    return {str(org[k]) for k in ("phone", "phone_alt") if org.get(k)}


def links_of(org: Dict) -> Set[str]:
    """A contact's links (url and chat_url), normalised, and the site of each."""
    found = set()
    for key in ("url", "chat_url"):
        if org.get(key):
            found |= {normal_url(str(org[key])), normal_url(str(org[key])).split("/")[0]}
    return found


def urgent_numbers(organisations: Dict, kind: Optional[str] = None, country: Optional[str] = None) -> Set[str]:
    """The numbers of the urgent contacts (999, 111, 116 123, 112, 113,
    0800-0113), which any answer may name."""
    return {n for o in urgent(organisations, kind, country) for n in numbers_of(organisations[o])}


def urgent_links(organisations: Dict, kind: Optional[str] = None, country: Optional[str] = None) -> Set[str]:
    """The links of the urgent contacts (113.nl), normalised."""
    return {link for o in urgent(organisations, kind, country) for link in links_of(organisations[o])}


def known_links(organisations: Dict) -> Set[str]:
    """Every link of contacts.yml, normalised, and the site of each."""
    return {link for org in organisations.values() for link in links_of(org)}
