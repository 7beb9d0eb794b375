"""Leaving a message for the support team, without servers: the form's
checks (phone numbers, email addresses, the 2,000-character limit, HTML,
script and emoji kept as text), its questions and summary, and the action
that stores the message in a real inbox (SQLite in a temporary folder)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clock, support_message
from actions.menu_actions import ActionSuggestTopics
from actions.signpost_actions import ActionOfferHelpline, ActionSignpost
from actions.support_form import (
    FORM_SLOTS,
    MAX_CHARS,
    AskConfirm,
    AskConsent,
    AskMessage,
    ValidateSupportMessageForm,
    needed_slots,
)
from actions.support_message import ActionLeaveMessage, ActionSupportStopped
from base.content import label
from base.paths import CONTENT_DIR
from inbox import settings
from inbox.crypto import new_key
from inbox.store import InboxStore
from tests.trackers import run, texts

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY_NOON = datetime(2029, 6, 18, 12, 0, tzinfo=AMSTERDAM)
SATURDAY = datetime(2029, 6, 23, 12, 0, tzinfo=AMSTERDAM)
FORM = ValidateSupportMessageForm()
DOMAIN: Dict[str, Any] = {
    "forms": {"support_message_form": {"required_slots": list(FORM_SLOTS)}},
    "slots": {},
}


def tracker(
    text: Any = "...",
    intent: str = "nlu_fallback",
    language: str = "en",
    country: str = "UK",
    choice: Optional[str] = None,
    latest_action: str = "action_listen",
    events: Optional[List[Dict]] = None,
    confidence: float = 1.0,
    **slots: Any,
) -> Tracker:
    """A tracker inside the form: the user's latest message and the slots."""
    entities = [{"entity": "support_choice", "value": choice}] if choice else []
    return Tracker(
        sender_id="form-test",
        slots={"language": language, "country": country, **slots},
        latest_message={"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities},
        events=(events or []) + [{"event": "user"}, {"event": "action", "name": latest_action}],
        paused=False,
        followup_action=None,
        active_loop={"name": "support_message_form"},
        latest_action_name=latest_action,
    )


def check(slot: str, value: Any, tracker_: Tracker) -> tuple:
    """(slots returned, responses sent) of one validate_<slot>."""
    dispatcher = CollectingDispatcher()
    found = getattr(FORM, f"validate_{slot}")(value, dispatcher, tracker_, DOMAIN)
    return found, [m.get("response") for m in dispatcher.messages]


def sent(action, tracker_: Tracker) -> tuple:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, DOMAIN))
    return dispatcher.messages, events


@pytest.fixture
def team_file(tmp_path, monkeypatch):
    """Point SUPPORT_TEAM_FILE at a copy of content/support_team.yml; write(**changes) per country."""
    data = yaml.safe_load((CONTENT_DIR / "support_team.yml").read_text(encoding="utf-8"))
    path = tmp_path / "support_team.yml"

    def write(country: str = "NL", **changes: Any) -> None:
        data[country].update(changes)
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        settings._cached.cache_clear()

    write()
    monkeypatch.setenv("SUPPORT_TEAM_FILE", str(path))
    yield write
    settings._cached.cache_clear()


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    """A real inbox on SQLite in a temporary folder, as the action server opens it."""
    monkeypatch.setenv("SUPPORT_INBOX_URL", f"sqlite:///{tmp_path / 'inbox.db'}")
    monkeypatch.setenv("SUPPORT_INBOX_KEY", new_key())
    monkeypatch.setattr(support_message, "_store", None)
    yield InboxStore.from_env()
    if support_message._store is not None:
        support_message._store.dispose()


@pytest.fixture
def at(monkeypatch):
    def set_clock(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return set_clock


# ------------------------------------------------------------------ phone numbers
@pytest.mark.parametrize(
    "typed,country,number",
    [
        ("06 12345678", "NL", "+31612345678"),
        ("06-12345678", "NL", "+31612345678"),
        ("0612345678", "NL", "+31612345678"),
        ("06 1234 5678", "NL", "+31612345678"),
        ("+31 6 12345678", "UK", "+31612345678"),
        ("+31612345678", "NL", "+31612345678"),
        ("0031 6 12345678", "UK", "+31612345678"),
        ("020 123 4567", "NL", "+31201234567"),
        ("+31 (0)20 123 4567", "NL", "+31201234567"),
        ("07700 900123", "UK", "+447700900123"),
        ("07700900123", "NL", "+447700900123"),  # not Dutch: read as British
        ("+44 7700 900123", "NL", "+447700900123"),
        ("+44 (0)20 7946 0018", "UK", "+442079460018"),
        ("0044 20 7946 0018", "NL", "+442079460018"),
        ("  0161 496 0000  ", "UK", "+441614960000"),
    ],
)
def test_a_dutch_or_british_phone_number_is_taken_in_international_form(typed, country, number) -> None:
    found, said = check("support_contact", typed, tracker(typed, country=country, support_contact_method="phone"))
    assert found == {"support_contact": number} and said == []


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "call me",
        "",
        "   ",
        "06-123",
        "+31 6 1234 5678 90",
        "+49 30 1234567",  # not NL or UK: the team does not call abroad
        "+1 202 555 0143",
        "0000000000",
        "06 12345678 or 07700 900123",
        "<script>alert(1)</script>",
        "+31 6 1234567x",
        "☎ 06 12345678",
        "9" * 500,
        None,
        42,
    ],
)
def test_anything_else_is_asked_again_with_a_clear_reason(typed) -> None:
    found, said = check("support_contact", typed, tracker(typed, support_contact_method="phone"))
    assert found == {"support_contact": None}
    assert said == ["utter_support_phone_invalid"]


# ------------------------------------------------------------------ email addresses
@pytest.mark.parametrize(
    "typed,address",
    [
        ("sam@example.org", "sam@example.org"),
        ("  Sam.Jones@Example.ORG ", "Sam.Jones@example.org"),
        ("sam.jones+chat@example.co.uk", "sam.jones+chat@example.co.uk"),
        ("mailto:info@example.nl", "info@example.nl"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("a@b-c.example.com", "a@b-c.example.com"),
    ],
)
def test_an_email_address_is_taken(typed, address) -> None:
    found, said = check("support_contact", typed, tracker(typed, support_contact_method="email"))
    assert found == {"support_contact": address} and said == []


@pytest.mark.parametrize(
    "typed",
    [
        "sam",
        "sam@",
        "@example.org",
        "sam@example",
        "sam@@example.org",
        "sam jones@example.org",
        "sam@example..org",
        ".sam@example.org",
        "sam.@example.org",
        "<sam@example.org>",
        "sam@example.org, kim@example.org",
        "sam@-example.org",
        "sam@example.123",
        "x" * 250 + "@example.org",
        "06 12345678",
        "",
        None,
    ],
)
def test_a_wrong_email_address_is_asked_again(typed) -> None:
    found, said = check("support_contact", typed, tracker(typed, support_contact_method="email"))
    assert found == {"support_contact": None}
    assert said == ["utter_support_email_invalid"]


# ------------------------------------------------------------------ the message
def test_a_message_of_2000_characters_is_taken_and_one_more_is_asked_again() -> None:
    assert MAX_CHARS == 2000
    longest = "a" * 2000
    assert check("support_message", longest, tracker(longest)) == ({"support_message": longest}, [])
    dispatcher = CollectingDispatcher()
    found = FORM.validate_support_message(longest + "b", dispatcher, tracker(longest + "b", language="nl"), DOMAIN)
    assert found == {"support_message": None}
    assert dispatcher.messages[0]["response"] == "utter_support_message_too_long"
    assert dispatcher.messages[0]["length"] == "2.001" and dispatcher.messages[0]["max_chars"] == "2.000"


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert('hi')</script> please call me",
        "<b>bold</b> &amp; <img src=x onerror=alert(1)>",
        "Thank you 😀🙏 — I'm doing better ❤️",
        "{team} {0[x]} %s {{ }} \\n",
        "Line one\nLine two\n\n- a list line",
        "'; DROP TABLE messages; --",
    ],
)
def test_html_script_emoji_and_braces_are_kept_as_text(typed) -> None:
    assert check("support_message", typed, tracker(typed, intent="fatigue")) == ({"support_message": typed}, [])


def test_control_characters_go_outer_spaces_too_and_an_empty_message_is_asked_again() -> None:
    assert check("support_message", "  hi\x00 there\x07\n ", tracker())[0] == {"support_message": "hi there"}
    assert check("support_message", " \n\t ", tracker())[0] == {"support_message": None}
    assert check("support_message", "/affirm", tracker("/affirm", intent="affirm"))[0] == {"support_message": None}


def test_the_message_that_set_off_a_red_flag_is_kept_after_the_fixed_answer() -> None:
    text = "my dad is suddenly very confused and his breathing is fast"
    after_answer = tracker(text, intent="red_flag", latest_action="utter_red_flag", requested_slot="support_message")
    extracted = asyncio.run(FORM.extract_support_message(CollectingDispatcher(), after_answer, DOMAIN))
    assert extracted == {"support_message": text}
    # before the fixed answer (the form's own turn), nothing: the form is rejected and safety answers
    before = tracker(text, intent="red_flag", requested_slot="support_message")
    assert asyncio.run(FORM.extract_support_message(CollectingDispatcher(), before, DOMAIN)) == {}
    # at another question, the text is not a message
    other = tracker(text, intent="red_flag", latest_action="utter_red_flag", requested_slot="support_contact")
    assert asyncio.run(FORM.extract_support_message(CollectingDispatcher(), other, DOMAIN)) == {}


# ------------------------------------------------------------------ consent, method, time, summary
@pytest.mark.parametrize(
    "typed,intent,answer",
    [
        ("/affirm", "affirm", True),
        ("/deny", "deny", False),
        ("yes please", "affirm", True),
        ("ja hoor", "greet", True),
        ("Akkoord", "nlu_fallback", True),
        ("nee", "affirm", False),
        ("no thanks", "deny", False),
        ("not sure, what happens to it?", "nlu_fallback", None),
        ("how long do you keep it", "helpline", None),
    ],
)
def test_consent_is_yes_or_no(typed, intent, answer) -> None:
    assert check("support_consent", typed, tracker(typed, intent=intent)) == ({"support_consent": answer}, [])


def test_answers_checked_before_stay_when_the_form_picks_up_again() -> None:
    again = tracker("/leave_message", intent="leave_message", support_contact="+31612345678")
    assert check("support_consent", True, again)[0] == {"support_consent": True}
    assert check("support_contact_method", "phone", again)[0] == {
        "support_contact_method": "phone",
        "support_contact": "+31612345678",
    }
    assert check("support_contact", "+31612345678", again)[0] == {"support_contact": "+31612345678"}
    assert check("support_confirm", True, again)[0] == {"support_confirm": True}


def test_a_question_the_classifier_barely_takes_for_yes_is_no_consent() -> None:
    unsure = tracker("wat bewaren jullie precies?", intent="affirm", confidence=0.22)
    assert check("support_consent", unsure.latest_message["text"], unsure)[0] == {"support_consent": None}
    assert check("support_confirm", "hmm", tracker("hmm", intent="affirm", confidence=0.3))[0] == {
        "support_confirm": None
    }


@pytest.mark.parametrize(
    "typed,choice,method,contact",
    [
        ('/affirm{"support_choice": "phone"}', "phone", "phone", None),
        ('/affirm{"support_choice": "none"}', "none", "none", None),
        ("mail me please", None, "email", None),
        ("Bel me maar", None, "phone", None),
        ("don't contact me, just read it", None, "none", None),
        ("geen contact nodig", None, "none", None),
        ("sam@example.org", None, "email", "sam@example.org"),
        ("06 12345678", None, "phone", "+31612345678"),
        ("banana", None, None, None),
    ],
)
def test_how_to_be_contacted(typed, choice, method, contact) -> None:
    found, said = check("support_contact_method", typed, tracker(typed, country="NL", choice=choice))
    assert found["support_contact_method"] == method and found["support_contact"] == contact
    assert said == ([] if method else ["utter_support_choose"])
    assert ("support_best_time" in found) == (method == "none")


def test_best_time_from_a_button_in_the_language_or_as_typed() -> None:
    pressed = tracker('/affirm{"support_choice": "morning"}', intent="affirm", language="nl", choice="morning")
    assert check("support_best_time", pressed.latest_message["text"], pressed)[0] == {
        "support_best_time": label("time_morning", "nl")
    }
    assert check("support_best_time", "after 3pm <b>", tracker())[0] == {"support_best_time": "after 3pm <b>"}
    assert check("support_best_time", "x" * 500, tracker())[0] == {"support_best_time": "x" * 200}


@pytest.mark.parametrize(
    "choice,typed,intent,found,said",
    [
        ("send", None, "affirm", {"support_confirm": True}, []),
        (None, "yes send it", "affirm", {"support_confirm": True}, []),
        ("change_message", None, "affirm", {"support_confirm": None, "support_message": None}, []),
        (None, "I want to change the message", "nlu_fallback", {"support_confirm": None, "support_message": None}, []),
        (
            "change_contact",
            None,
            "affirm",
            {
                "support_confirm": None,
                "support_contact_method": None,
                "support_contact": None,
                "support_best_time": None,
            },
            [],
        ),
        ("change_time", None, "affirm", {"support_confirm": None, "support_best_time": None}, []),
        (None, "no", "deny", {"support_confirm": None}, ["utter_support_which_change"]),
        (None, "what?", "nlu_fallback", {"support_confirm": None}, ["utter_support_choose"]),
    ],
)
def test_the_summary_sends_or_goes_back_to_the_field_chosen(choice, typed, intent, found, said) -> None:
    text = typed or f'/affirm{{"support_choice": "{choice}"}}'
    assert check("support_confirm", text, tracker(text, intent=intent, choice=choice)) == (found, said)


def test_the_questions_depend_on_consent_and_method(team_file) -> None:
    assert needed_slots(tracker(country="NL")) == ["support_consent"]
    assert needed_slots(tracker(country="NL", support_consent=False)) == ["support_consent"]
    with_none = needed_slots(tracker(country="NL", support_consent=True, support_contact_method="none"))
    assert with_none == ["support_consent", "support_contact_method", "support_message", "support_confirm"]
    with_phone = needed_slots(tracker(country="NL", support_consent=True, support_contact_method="phone"))
    assert with_phone == list(DOMAIN["forms"]["support_message_form"]["required_slots"])
    team_file("NL", enabled=False)
    assert needed_slots(tracker(country="NL")) == []


# ------------------------------------------------------------------ the questions asked
@pytest.mark.parametrize("language,country", [("nl", "NL"), ("en", "UK")])
def test_consent_names_the_team_and_the_retention_days_of_the_settings(team_file, language, country) -> None:
    team_file(country, retention_days=17)
    messages, _ = sent(AskConsent(), tracker(language=language, country=country))
    assert messages[0]["response"] == "utter_support_consent" and messages[0]["days"] == 17
    assert messages[0]["team"] == settings.team(country).name(language)
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    asked_before = [{"event": "slot", "name": "requested_slot", "value": "support_consent"}, {"event": "user"}]
    again, _ = sent(AskConsent(), tracker(language=language, country=country, events=asked_before))
    assert again[0]["response"] == "utter_support_consent_again"


def test_after_a_fixed_safety_answer_the_form_says_it_goes_on_urgently() -> None:
    messages, _ = sent(AskMessage(), tracker(latest_action="utter_crisis"))
    assert [m["response"] for m in messages] == ["utter_support_go_on", "utter_support_ask_message"]
    assert messages[1]["max_chars"] == "2,000"


def test_the_summary_shows_the_answers_as_plain_text_with_its_buttons() -> None:
    typed = "<script>alert(1)</script> {team} 😀"
    messages, _ = sent(
        AskConfirm(),
        tracker(
            support_contact_method="phone",
            support_contact="+447700900123",
            support_best_time="Any time",
            support_message=typed,
        ),
    )
    assert messages[0]["response"] == "utter_support_summary"
    assert messages[1].get("response") is None and messages[1]["text"].endswith(typed)
    assert "+447700900123" in messages[1]["text"] and "Any time" in messages[1]["text"]
    payloads = [b["payload"] for b in messages[1]["buttons"]]
    assert payloads[0] == '/affirm{"support_choice": "send"}' and payloads[-1] == "/stop"
    no_contact, _ = sent(AskConfirm(), tracker(support_contact_method="none", support_message="hi"))
    assert not any("change_time" in b["payload"] for b in no_contact[1]["buttons"])
    assert label("no_contact", "en") in no_contact[1]["text"]


# ------------------------------------------------------------------ the offer
def test_the_person_offered_comes_with_a_message_button_only_when_the_inbox_is_on(team_file) -> None:
    messages, _ = run(ActionOfferHelpline(), tracker(language="nl", country="NL"))
    assert {"title": label("leave_message", "nl"), "payload": "/leave_message"} in messages[0]["buttons"]
    helpline, _ = run(ActionSignpost(), tracker(intent="helpline", language="nl", country="NL"))
    assert helpline[0]["buttons"][-1]["payload"] == "/leave_message"
    nothing_fits, _ = run(ActionSuggestTopics(), tracker(intent="nlu_fallback", language="nl", country="NL"))
    assert any(b["payload"] == "/leave_message" for m in nothing_fits for b in m.get("buttons") or [])
    team_file("NL", enabled=False)
    messages, _ = run(ActionOfferHelpline(), tracker(language="nl", country="NL"))
    assert messages[0]["buttons"] == []


# ------------------------------------------------------------------ leaving the message
def completed(language: str = "en", country: str = "UK", **slots: Any) -> Tracker:
    answers = {
        "support_consent": True,
        "support_contact_method": "phone",
        "support_contact": "+447700900123",
        "support_best_time": "Any time",
        "support_message": "<b>Can someone call me?</b> 😀",
        "support_confirm": True,
        **slots,
    }
    return tracker("/affirm", intent="affirm", language=language, country=country, **answers)


def cleared(events: List[Dict]) -> bool:
    return {e["name"] for e in events if e["event"] == "slot" and e["value"] is None} >= set(
        DOMAIN["forms"]["support_message_form"]["required_slots"]
    )


def test_the_message_is_stored_and_the_answer_gives_its_reference(inbox, at) -> None:
    at(MONDAY_NOON)
    messages, events = sent(ActionLeaveMessage(), completed("nl", "NL", support_contact="+31612345678"))
    assert messages[0]["response"] == "utter_support_left_open"
    [stored] = inbox.list()
    assert messages[0]["reference"] == stored.reference and "09:00-17:00" in messages[0]["hours"]
    detail = inbox.open(stored.id, "test", "staff")
    assert (detail.contact, detail.best_time, detail.text) == (
        "+31612345678",
        "Any time",
        "<b>Can someone call me?</b> 😀",
    )
    assert detail.conversation_id == "form-test" and detail.language == "nl" and not detail.urgent
    assert cleared(events)


def test_outside_opening_hours_it_says_when_the_message_will_be_read(inbox, at) -> None:
    at(SATURDAY)
    messages, _ = sent(ActionLeaveMessage(), completed("en", "NL", support_contact="+31612345678"))
    assert messages[0]["response"] == "utter_support_left_closed" and messages[0]["when"] == "Monday at 09:00"


def test_an_escalation_in_the_conversation_marks_the_message_urgent(inbox, at) -> None:
    at(MONDAY_NOON)
    sent(ActionLeaveMessage(), completed(support_contact_method="none", support_urgent=True))
    [stored] = inbox.list()
    assert stored.urgent and stored.contact_method == "none"
    assert inbox.open(stored.id, "test", "staff").contact is None


def test_the_fourth_message_of_a_conversation_gets_a_kind_no_with_the_phone_routes(inbox, at) -> None:
    at(MONDAY_NOON)
    for _ in range(3):
        assert sent(ActionLeaveMessage(), completed())[0][0]["response"] == "utter_support_left_open"
    messages, events = sent(ActionLeaveMessage(), completed())
    assert messages[0]["response"] == "utter_support_too_many"
    assert "0808 800 0029" in texts(messages[1:]) and len(inbox.list()) == 3
    assert cleared(events)


def test_a_broken_store_gets_a_clear_answer_not_a_crash(inbox, monkeypatch) -> None:
    def broken():
        raise OSError("disk full")

    monkeypatch.setattr(support_message, "store", broken)
    messages, events = sent(ActionLeaveMessage(), completed())
    assert messages[0]["response"] == "utter_support_store_failed"
    assert "0808 800 0029" in texts(messages[1:]) and cleared(events)


@pytest.mark.parametrize("slots", [{"support_consent": False}, {"support_confirm": None}])
def test_without_consent_nothing_is_stored_and_the_phone_routes_follow(inbox, slots) -> None:
    messages, events = sent(ActionLeaveMessage(), completed("nl", "UK", **slots))
    assert messages[0]["response"] == "utter_support_no_consent"
    assert not any(b["payload"] == "/leave_message" for m in messages for b in m.get("buttons") or [])
    assert inbox.list() == [] and cleared(events)


def test_with_the_inbox_off_nothing_is_stored(inbox, team_file) -> None:
    team_file("UK", enabled=False)
    messages, _ = sent(ActionLeaveMessage(), completed())
    assert messages[0]["response"] == "utter_support_team_off" and inbox.list() == []


def test_stop_forgets_the_answers() -> None:
    messages, events = sent(ActionSupportStopped(), completed())
    assert messages[0]["response"] == "utter_support_stopped" and cleared(events)
