"""Language and country codes shared by the NLU components and the actions
(no Rasa imports, so the action server stays light)."""

from typing import Any, Optional, Text

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
