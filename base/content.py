"""Read the content files (contacts, topics, support groups) once, and the
user's language and country from a tracker."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

import yaml

from base.locale import COUNTRY_FOR_LANGUAGE
from base.paths import CONTENT_DIR

LANGUAGES = ("nl", "en")


@lru_cache(maxsize=None)
def _load(name: Text) -> Dict[Text, Any]:
    with open(CONTENT_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def organisations() -> Dict[Text, Dict[Text, Any]]:
    """All organisations of content/contacts.yml by id."""
    return _load("contacts.yml")["organisations"]


def topics() -> Dict[Text, Dict[Text, Any]]:
    """The topic catalogue of content/topics.yml by id."""
    return _load("topics.yml")["topics"]


def relatives() -> Dict[Text, Any]:
    """content/relatives.yml: the note responses and, per language, the cues."""
    return _load("relatives.yml")


def support_groups() -> List[Dict[Text, Any]]:
    """The UK local support groups of content/support_groups.yml."""
    return _load("support_groups.yml")["groups"]


def support_groups_listed() -> Dict[Text, Any]:
    """Where and when the support groups were listed: {source, year}."""
    return _load("support_groups.yml")["listed"]


def user_language(tracker: Any) -> Text:
    """The conversation's language (nl/en); English when not known yet."""
    language = tracker.get_slot("language")
    return language if language in LANGUAGES else "en"


def user_country(tracker: Any) -> Text:
    """The user's country (UK/NL): the slot, else the one of the language."""
    country = tracker.get_slot("country")
    if country in ("UK", "NL"):
        return country
    return COUNTRY_FOR_LANGUAGE[user_language(tracker)]


def message(key: Text, language: Text, **values: Any) -> Text:
    """A sentence of content/messages.yml in a language, placeholders filled."""
    entry = _load("messages.yml")["messages"][key]
    return entry.get(language, entry["en"]).format(**values)


def label(key: Text, language: Text) -> Text:
    """A short label of content/messages.yml in a language."""
    entry = _load("messages.yml")["labels"][key]
    return entry.get(language, entry["en"])
