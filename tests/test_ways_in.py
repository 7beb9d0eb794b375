"""Relatives and bereaved people get a way in: the menu offers the carers and
bereavement topics and says it is for them too; whenever the assistant is
unsure it offers "I'm caring for someone" and "I lost someone" besides the
likeliest topics, never twice; every payload is an intent of the domain."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rasa.shared.core.domain import Domain

from actions import clock
from actions.menu_actions import WAYS_IN, ActionShowMenu, ActionSuggestTopics
from base.content import label, message, topics
from base.paths import PROJECT_ROOT
from tests.trackers import run, tracker

ROOT = PROJECT_ROOT
DOMAIN = Domain.load(str(ROOT / "domain"))
LANGUAGES = ("en", "nl")
WAY_IN_TITLES = {
    "en": {"/carers": "I'm caring for someone", "/bereavement": "I lost someone"},
    "nl": {"/carers": "Ik zorg voor een naaste", "/bereavement": "Ik ben iemand verloren"},
}


def intent_of(payload: str) -> str:
    assert payload.startswith("/"), payload
    return payload[1:].split("{")[0]


def ranking(*names: str):
    """An intent ranking with nlu_fallback on top, then `names` in order."""
    return [{"name": "nlu_fallback", "confidence": 0.9}] + [
        {"name": n, "confidence": 0.5 - i / 100} for i, n in enumerate(names)
    ]


def suggestions(language: str, *names: str):
    messages, _ = run(ActionSuggestTopics(), tracker(language, intent="nlu_fallback", ranking=ranking(*names)))
    assert len(messages) == 1
    return messages[0]


@pytest.fixture
def monday_noon(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/London")))


# ------------------------------------------------------------------ menu
@pytest.mark.parametrize("language", LANGUAGES)
def test_menu_offers_carers_and_bereavement(language) -> None:
    messages, _ = run(ActionShowMenu(), tracker(language))
    buttons = messages[0]["buttons"]
    assert {"title": topics()["carers"]["title"][language], "payload": "/carers"} in buttons
    assert {"title": topics()["bereavement"]["title"][language], "payload": "/bereavement"} in buttons
    payloads = [b["payload"] for b in buttons]
    assert len(payloads) == len(set(payloads))
    # survivors' topics first, then the ways in for relatives and bereaved people
    assert payloads[-2:] == ["/carers", "/bereavement"]


@pytest.mark.parametrize(
    "language,words",
    [
        ("en", ["relatives", "carers", "lost someone"]),
        ("nl", ["naasten", "mantelzorgers", "iemand verloren"]),
    ],
)
def test_menu_text_says_it_is_also_for_relatives_and_bereaved_people(language, words) -> None:
    messages, _ = run(ActionShowMenu(), tracker(language))
    assert messages[0]["text"] == message("menu", language)
    for word in words:
        assert word in messages[0]["text"]


# ------------------------------------------------------------------ fallback
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "names,likeliest",
    [
        (["hair_loss", "fatigue", "exercise"], ["/hair_loss", "/fatigue"]),
        (["greet", "carers", "fatigue"], ["/carers", "/fatigue"]),
        (["bereavement", "greet", "mental_health"], ["/bereavement", "/mental_health"]),
        (["bereavement", "carers", "helpline"], ["/bereavement", "/carers"]),
        (["fatigue"], ["/fatigue"]),
    ],
)
def test_fallback_always_offers_both_ways_in_without_duplicates(language, names, likeliest) -> None:
    buttons = suggestions(language, *names)["buttons"]
    payloads = [b["payload"] for b in buttons]
    assert payloads[: len(likeliest)] == likeliest  # the likeliest topics first
    assert payloads[-1] == "/deny"  # "None of these" last
    assert payloads.count("/carers") == 1 and payloads.count("/bereavement") == 1
    assert len(payloads) == len(set(payloads))
    titles = [b["title"] for b in buttons]
    assert len(titles) == len(set(titles))
    for button in buttons[len(likeliest) : -1]:  # the added ways in
        assert button["title"] == WAY_IN_TITLES[language][button["payload"]]
    assert buttons[-1]["title"] == label("none_of_these", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_ways_in_labels_are_those_of_the_messages_file(language) -> None:
    assert {f"/{t}": label(key, language) for t, key in WAYS_IN.items()} == WAY_IN_TITLES[language]


def test_dont_know_offers_both_ways_in_in_every_variant() -> None:
    variants = DOMAIN.responses["utter_dont_know"]
    assert len(variants) == 3
    for variant in variants:
        condition = {c["name"]: c["value"] for c in variant.get("condition") or []}
        language = condition.get("language", "en")
        assert {b["payload"]: b["title"] for b in variant.get("buttons") or []} == WAY_IN_TITLES[language]


def test_fallback_without_a_topic_sends_dont_know_and_a_person(monday_noon) -> None:
    messages, _ = run(ActionSuggestTopics(), tracker("en", "UK", intent="nlu_fallback", ranking=ranking("greet")))
    assert messages[0]["response"] == "utter_dont_know"
    assert "0808 800 0029" in messages[1]["text"]


# ------------------------------------------------------------------ payloads
def all_payloads():
    found = []
    for language in LANGUAGES:
        found += [b["payload"] for b in run(ActionShowMenu(), tracker(language))[0][0]["buttons"]]
        for names in (["hair_loss", "fatigue"], ["carers", "bereavement"]):
            found += [b["payload"] for b in suggestions(language, *names)["buttons"]]
    for variant in DOMAIN.responses["utter_dont_know"]:
        found += [b["payload"] for b in variant.get("buttons") or []]
    return sorted(set(found))


@pytest.mark.parametrize("payload", all_payloads())
def test_every_payload_is_an_intent_of_the_domain(payload) -> None:
    assert intent_of(payload) in DOMAIN.intents
