"""Language and country codes shared by the NLU components and the actions
(no Rasa imports, so the action server stays light)."""
from typing import Any, Optional, Text, Tuple

COUNTRY_FOR_LANGUAGE = {"nl": "NL", "en": "UK"}
LANGUAGE_FOR_COUNTRY = {"NL": "nl", "UK": "en"}
UK_NAMES = {"uk", "gb", "england", "wales", "scotland", "united kingdom"}
NL_NAMES = {"nl", "netherlands", "nederland", "the netherlands"}


def normalise_country(value: Any) -> Optional[Text]:
    """Map metadata spellings (uk, gb, nl, netherlands...) to UK/NL, else None."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower()
    if key in UK_NAMES:
        return "UK"
    return "NL" if key in NL_NAMES else None


def normalise_language(value: Any) -> Optional[Text]:
    """Map metadata spellings (nl, nl-NL, en-GB...) to nl/en, else None."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower()[:2]
    return key if key in COUNTRY_FOR_LANGUAGE else None


def metadata_locale(metadata: Any) -> Tuple[Optional[Text], Optional[Text]]:
    """(language, country) that a message's metadata asks for. The language
    counts only on the first message of a session (`session_start`, set by
    the REST channel); the country on every message. A missing one follows
    the other (nl <-> NL, en <-> UK)."""
    metadata = metadata if isinstance(metadata, dict) else {}
    country = normalise_country(metadata.get("country"))
    language = None
    if metadata.get("session_start") is True:
        language = normalise_language(metadata.get("language")) or LANGUAGE_FOR_COUNTRY.get(country)
    return language, country
