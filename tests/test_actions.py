"""Every custom action, run on tracker fixtures with a CollectingDispatcher:
the messages sent and the events returned. No network, fixed clocks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.events import SlotSet

from actions import clock
from actions.menu_actions import ActionShowMenu, ActionSuggestTopics, menu_topics
from actions.restart import ActionRestart
from actions.signpost_actions import ActionOfferHelpline, ActionSignpost
from actions.support_group_actions import (
    ActionAskPostcode,
    ActionFindSupportGroup,
    ValidateSupportGroupForm,
    parse_postcode,
)
from base.content import message, organisations, topics
from tests.trackers import run, texts, tracker

LONDON = ZoneInfo("Europe/London")
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=LONDON)
HELPLINE = organisations()["sepsis_trust_helpline"]


@pytest.fixture
def at(monkeypatch):
    """Fix the actions' clock: at(moment)."""

    def set_clock(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return set_clock


# ---------------------------------------------------------------- signposts
@pytest.mark.parametrize("topic", list(topics()))
@pytest.mark.parametrize("language,country", [("en", "UK"), ("nl", "NL"), ("en", "NL"), ("nl", "UK")])
def test_signpost_lists_the_topics_organisations_for_the_country(at, topic, language, country) -> None:
    at(MONDAY_NOON)
    messages, events = run(ActionSignpost(), tracker(language, country, intent=topic))
    text = texts(messages)
    assert events == []
    for org_id in topics()[topic]["signposts"][country]:
        org = organisations()[org_id]
        assert org["name"][language] in text
        for key in ("phone", "url"):
            if org.get(key):
                assert org[key] in text
    assert text.startswith(message("signposts", language, signposts="").strip())


@pytest.mark.parametrize("topic", list(topics()))
@pytest.mark.parametrize("language,country", [("en", "UK"), ("nl", "NL")])
def test_signposts_come_as_link_cards_in_one_message(at, topic, language, country) -> None:
    """One message carries the organisations both as text and as link cards
    (the widget draws them inside the answer); a line's open-or-closed status
    follows only where the topic is about reaching a person."""
    at(MONDAY_NOON)
    messages, _ = run(ActionSignpost(), tracker(language, country, intent=topic))
    with_cards = [m for m in messages if m.get("cards")]
    assert len(with_cards) == 1
    cards = with_cards[0]["cards"]
    assert [card["id"] for card in cards] == topics()[topic]["signposts"][country]
    for card in cards:
        org = organisations()[card["id"]]
        assert card["name"] == org["name"][language] and card["what"] == org["what"][language]
        assert card.get("phone") == (str(org["phone"]) if org.get("phone") else None)
        assert card.get("url") == org.get("url")
        assert ("hours" in card) == bool(org.get("phone") and org.get("hours"))
    status = [m for m in messages if "open now" in m["text"] or "nu open" in m["text"]]
    assert bool(status) == (bool(topics()[topic].get("opening_status")) and country == "UK")


def test_only_answers_about_reaching_a_person_say_whether_the_line_is_open(at) -> None:
    at(MONDAY_NOON)
    fatigue, _ = run(ActionSignpost(), tracker("en", "UK", intent="fatigue"))
    helpline, _ = run(ActionSignpost(), tracker("en", "UK", intent="helpline"))
    assert "open now" not in texts(fatigue) and len(fatigue) == 1
    assert "(Monday-Friday 09:30-16:30 UK time)" in texts(fatigue)  # the hours stay with the number
    assert "open now, until 16:30" in texts(helpline) and len(helpline) == 2
    assert [topic for topic, spec in topics().items() if spec.get("opening_status")] == ["helpline"]


def test_signpost_for_an_unknown_intent_sends_nothing() -> None:
    messages, events = run(ActionSignpost(), tracker(intent="greet"))
    assert messages == [] and events == []


def test_helpline_answer_says_open_now_during_hours(at) -> None:
    at(MONDAY_NOON)
    messages, _ = run(ActionSignpost(), tracker("en", "UK", intent="helpline"))
    assert "open now, until 16:30" in texts(messages)
    assert HELPLINE["phone"] in texts(messages)


def test_helpline_answer_says_closed_and_what_to_do_at_the_weekend(at) -> None:
    at(SATURDAY_NOON)
    messages, _ = run(ActionSignpost(), tracker("en", "UK", intent="helpline"))
    text = texts(messages)
    assert "closed now" in text and "Monday at 09:30" in text
    assert organisations()["nhs_111"]["phone"] in text and organisations()["samaritans"]["phone"] in text


def test_helpline_status_in_dutch(at) -> None:
    at(datetime(2026, 11, 23, 18, 0, tzinfo=LONDON))
    messages, _ = run(ActionSignpost(), tracker("nl", "UK", intent="helpline"))
    assert "nu gesloten" in texts(messages) and "morgen om 09:30" in texts(messages)


def test_support_groups_topic_offers_the_finder_in_the_uk_only(at) -> None:
    at(MONDAY_NOON)
    uk, _ = run(ActionSignpost(), tracker("en", "UK", intent="support_groups"))
    nl, _ = run(ActionSignpost(), tracker("nl", "NL", intent="support_groups"))
    assert {"title": "Find a group near me", "payload": "/find_support_group"} in uk[0]["buttons"]
    assert not any(m.get("buttons") for m in nl)


def test_country_follows_language_when_unknown(at) -> None:
    at(MONDAY_NOON)
    messages, _ = run(ActionOfferHelpline(), tracker("nl", None))
    assert "Sepsis en daarna" in texts(messages) and HELPLINE["phone"] not in texts(messages)


def test_offer_helpline_in_the_uk(at) -> None:
    at(MONDAY_NOON)
    messages, _ = run(ActionOfferHelpline(), tracker("en", "UK"))
    assert HELPLINE["phone"] in texts(messages) and "open now" in texts(messages)


# ---------------------------------------------------------------- menu and fallback
@pytest.mark.parametrize("language", ["en", "nl"])
def test_menu_offers_the_main_topics_as_buttons(language) -> None:
    messages, _ = run(ActionShowMenu(), tracker(language))
    buttons = messages[0]["buttons"]
    menu = menu_topics()
    assert set(menu) >= {t for t, spec in topics().items() if spec.get("menu")}
    assert [b["payload"] for b in buttons] == [f"/{t}" for t in menu]
    assert buttons[0]["title"] == topics()[menu[0]]["title"][language]
    assert messages[0]["text"] == message("menu", language)


def test_fallback_offers_the_two_likeliest_topics_then_none_of_these() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.9},
        {"name": "greet", "confidence": 0.12},
        {"name": "hair_loss", "confidence": 0.11},
        {"name": "fatigue", "confidence": 0.1},
        {"name": "exercise", "confidence": 0.05},
    ]
    messages, _ = run(ActionSuggestTopics(), tracker("nl", intent="nlu_fallback", ranking=ranking))
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/hair_loss",
        "/fatigue",
        "/carers",
        "/bereavement",
        "/deny",
    ]
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Haaruitval",
        "Vermoeidheid",
        "Ik zorg voor een naaste",
        "Ik ben iemand verloren",
        "Geen van deze",
    ]


def test_fallback_without_any_topic_admits_it_does_not_know(at) -> None:
    at(MONDAY_NOON)
    ranking = [{"name": "greet", "confidence": 0.2}]
    messages, _ = run(ActionSuggestTopics(), tracker("en", intent="nlu_fallback", ranking=ranking))
    assert messages[0]["response"] == "utter_dont_know"
    assert HELPLINE["phone"] in texts(messages[1:])


# ---------------------------------------------------------------- restart
def test_restart_says_so_in_the_language_and_restarts() -> None:
    messages, events = run(ActionRestart(), tracker("nl", "NL"))
    assert messages[0]["text"] == message("start_again", "nl")
    assert [e["event"] for e in events] == ["restart"]


# ---------------------------------------------------------------- support-group finder
@pytest.mark.parametrize(
    "text,postcode",
    [
        ("BN3 3WR", "BN3 3WR"),
        ("bn33wr", "BN3 3WR"),
        ("my postcode is cm1 7et thanks", "CM1 7ET"),
        ("BB7", "BB7"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("Brighton", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_postcode(text, postcode) -> None:
    assert parse_postcode(text) == postcode


def form_tracker(value, language="en", country="UK"):
    return tracker(
        language,
        country,
        intent="inform_postcode",
        events=[{"event": "slot", "name": "postcode", "value": value}],
        postcode=value,
    )


def test_form_accepts_and_normalises_a_postcode() -> None:
    messages, events = run(ValidateSupportGroupForm(), form_tracker("bn3 3wr"))
    assert SlotSet("postcode", "BN3 3WR") in events and messages == []


def test_form_rejects_a_non_postcode_and_explains() -> None:
    messages, events = run(ValidateSupportGroupForm(), form_tracker("near brighton", "nl"))
    assert SlotSet("postcode", None) in events
    assert texts(messages) == message("postcode_invalid", "nl")


def test_form_asks_no_postcode_in_the_netherlands() -> None:
    _, events = run(ValidateSupportGroupForm(), tracker("nl", "NL", intent="find_support_group"))
    assert SlotSet("requested_slot", None) in events


@pytest.mark.parametrize("language", ["en", "nl"])
def test_form_question(language) -> None:
    messages, _ = run(ActionAskPostcode(), tracker(language))
    assert texts(messages) == message("ask_postcode", language)


def test_finder_names_the_listed_group_for_the_area(at) -> None:
    at(MONDAY_NOON)
    messages, events = run(ActionFindSupportGroup(), tracker("en", "UK", postcode="BN3 3WR"))
    assert "East Sussex Sepsis Support Group" in texts(messages) and "Hove" in texts(messages)
    assert HELPLINE["phone"] in texts(messages)
    assert events == [SlotSet("postcode", None)]


def test_finder_points_online_when_no_group_is_listed(at) -> None:
    at(MONDAY_NOON)
    messages, _ = run(ActionFindSupportGroup(), tracker("en", "UK", postcode="ZE1 0AA"))
    text = texts(messages)
    assert "ZE1 0AA" in text and "Forum" in text and "Facebook" in text


def test_finder_gives_dutch_users_peer_contact(at) -> None:
    at(MONDAY_NOON)
    messages, _ = run(ActionFindSupportGroup(), tracker("nl", "NL"))
    text = texts(messages)
    assert "Sepsis en daarna" in text and organisations()["peer_group_nl"]["url"] in text
