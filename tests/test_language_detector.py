"""The language detector: clear Dutch or English sets the language, an
explicit request switches it, unclear messages leave it alone."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from base.locale import normalise_country, normalise_language
from components.language_detector import LanguageDetector

DETECTOR = LanguageDetector({})


@pytest.mark.parametrize(
    "text,language",
    [
        ("ik ben zo moe sinds de ic", "nl"),
        ("I am so tired since intensive care", "en"),
        ("mijn moeder heeft sepsis gehad en nu valt haar haar uit", "nl"),
        ("my mum had sepsis and now her hair is falling out", "en"),
        ("ik heb echt brain fog en geen energy meer", "nl"),  # Dutch with English words
        ("ja", "nl"),
        ("yes please", "en"),
        ("bedankt", "nl"),
        ("ok", None),
        ("BN3 3WR", None),
        ("sepsis", None),
        ("", None),
        ("🙂🙂", None),
    ],
)
def test_clear_language_is_detected(text: str, language) -> None:
    assert DETECTOR.detect(text) == (language, False)


@pytest.mark.parametrize(
    "text,language",
    [
        ("English please", "en"),
        ("kan het in het Engels?", "en"),
        ("Dutch please", "nl"),
        ("Nederlands graag", "nl"),
        ("in het nederlands aub", "nl"),
    ],
)
def test_explicit_switch(text: str, language: str) -> None:
    assert DETECTOR.detect(text) == (language, True)


def test_a_long_message_naming_a_language_is_not_a_switch() -> None:
    text = "my English colleague told me about sepsis, what actually is it and how do you get it"
    assert DETECTOR.detect(text) == ("en", False)


def test_switch_in_a_long_message_counts_when_the_classifier_says_so() -> None:
    text = "sorry mijn Engels is niet zo goed, kunnen we het in het Nederlands doen alsjeblieft"
    assert DETECTOR.detect(text, "switch_language") == ("nl", True)


def entities(message: Message) -> dict:
    return {e["entity"]: e["value"] for e in message.get(ENTITIES, [])}


def test_entities_follow_the_language_and_metadata_country() -> None:
    message = Message(data={TEXT: "ik ben zo moe sinds de ic", "metadata": {"country": "uk"}})
    DETECTOR.process([message])
    assert entities(message) == {"language": "nl", "country": "UK"}


def test_country_follows_the_language_without_metadata() -> None:
    message = Message(data={TEXT: "I am so tired since intensive care"})
    DETECTOR.process([message])
    assert entities(message) == {"language": "en", "country": "UK"}


def test_unclear_message_adds_nothing() -> None:
    message = Message(data={TEXT: "ok"})
    DETECTOR.process([message])
    assert entities(message) == {}


def test_short_switch_request_is_relabelled() -> None:
    message = Message(data={TEXT: "Engels", INTENT: {"name": "thanks", "confidence": 0.4}})
    DETECTOR.process([message])
    assert message.get(INTENT)["name"] == "switch_language"
    assert entities(message)["language"] == "en"


@pytest.mark.parametrize(
    "value,expected", [("NL", "NL"), ("uk", "UK"), ("GB", "UK"), ("Nederland", "NL"), ("fr", None), (3, None)]
)
def test_normalise_country(value, expected) -> None:
    assert normalise_country(value) == expected


@pytest.mark.parametrize(
    "value,expected", [("nl", "nl"), ("nl-NL", "nl"), ("en-GB", "en"), ("EN", "en"), ("de", None), (None, None)]
)
def test_normalise_language(value, expected) -> None:
    assert normalise_language(value) == expected


@pytest.mark.parametrize(
    "metadata,text,expected",
    [
        ({"language": "nl"}, "ok", {}),  # the metadata's language is a session's start (rasa_ext/session.py)
        ({"language": "nl", "session_start": True}, "ok", {}),
        ({"language": "nl"}, "my hair is falling out", {"language": "en", "country": "UK"}),
        ({"language": "en", "country": "NL"}, "ok", {"country": "NL"}),  # country always follows metadata
        ({"country": "uk"}, "mijn haar valt uit", {"language": "nl", "country": "UK"}),
    ],
)
def test_the_metadata_gives_the_country_never_the_language(metadata, text, expected) -> None:
    message = Message(data={TEXT: text, "metadata": metadata})
    DETECTOR.process([message])
    assert entities(message) == expected
