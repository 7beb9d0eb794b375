"""End to end: the real Rasa server and action server over REST, with the
support inbox on SQLite in a temporary folder (SUPPORT_INBOX_URL and
SUPPORT_INBOX_KEY, as an organisation would set them). In both languages a
message is left through the form and then found in the store; the fourth
message of a conversation gets the limit's answer; a red flag or crisis
inside the form gets its fixed answer first and the message is stored
urgent; "stop" stores nothing."""

from __future__ import annotations

import itertools
import re
from typing import Dict, List

import pytest
import yaml

from base.paths import CONTENT_DIR
from inbox.crypto import new_key
from inbox.store import InboxStore
from tests.content_data import response_text
from tests.servers import Assistant

pytestmark = pytest.mark.slow
_senders = itertools.count()
REFERENCE = re.compile(r"SB-[0-9A-Z]{4}-[0-9A-Z]{4}")
COUNTRY = {"nl": "NL", "en": "UK"}
START = {"nl": "kan ik een bericht achterlaten voor het team", "en": "can I leave a message for the team"}
PHONE = {"nl": ("06 12345678", "+31612345678"), "en": ("07700 900123", "+447700900123")}
MESSAGE = {
    "nl": "<script>alert(1)</script> Ik ben nog steeds erg moe. Kan iemand mij bellen? 😀",
    "en": "<b>I am still very tired.</b> Can someone call me? 😀 {team}",
}
LATER = {"nl": "na drie uur 's middags", "en": "after 3 pm"}
RED_FLAG = {
    "nl": "mijn moeder is ineens heel verward en ademt snel",
    "en": "my dad is suddenly very confused and his skin looks blotchy",
}


def choose(value: str) -> str:
    return '/affirm{"support_choice": "' + value + '"}'


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    """The store the action server writes to, and its environment."""
    folder = tmp_path_factory.mktemp("inbox")
    env = {"SUPPORT_INBOX_URL": f"sqlite:///{folder / 'inbox.db'}", "SUPPORT_INBOX_KEY": new_key()}
    store = InboxStore(env["SUPPORT_INBOX_URL"], env["SUPPORT_INBOX_KEY"])
    yield store, env
    store.dispose()


@pytest.fixture(scope="module")
def assistant(model_path, inbox):
    running = Assistant(model_path, env=inbox[1])
    yield running
    running.stop()


def new_sender() -> str:
    return f"form-e2e-{next(_senders)}"


def responses(reply: List[Dict]) -> List[str]:
    return [m.get("response") or "" for m in reply]


def reference_of(reply: List[Dict]) -> str:
    found = REFERENCE.search("\n".join(m.get("text") or "" for m in reply))
    assert found, reply
    return found.group(0)


def stored(store: InboxStore, reply: List[Dict]):
    summary = store.find(reference_of(reply))
    assert summary is not None
    return store.open(summary.id, "e2e", "staff")


def consent_given(assistant: Assistant, sender: str, language: str) -> None:
    asked = assistant.say(sender, START[language], language=language)
    assert responses(asked) == ["utter_support_consent"], asked
    assert [b["payload"] for b in asked[0]["buttons"]] == ["/affirm", "/deny"]
    assert "30" in asked[0]["text"] and "{" not in asked[0]["text"]  # retention days of the settings
    assert responses(assistant.say(sender, "/affirm")) == ["utter_support_ask_method"]


def leave_quickly(assistant: Assistant, sender: str, text: str) -> List[Dict]:
    """A message without contact details, from the button on."""
    assistant.say(sender, "/leave_message", language="en")
    assistant.say(sender, "/affirm")
    assistant.say(sender, choose("none"))
    assistant.say(sender, text)
    return assistant.say(sender, choose("send"))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_message_with_a_phone_number_is_left_and_found_in_the_store(assistant, inbox, language) -> None:
    store, sender = inbox[0], new_sender()
    consent_given(assistant, sender, language)
    asked = assistant.say(sender, choose("phone"))
    assert responses(asked) == ["utter_support_ask_phone"]
    wrong = assistant.say(sender, "12345")
    assert responses(wrong) == ["utter_support_phone_invalid", "utter_support_ask_phone"]
    typed, number = PHONE[language]
    assert responses(assistant.say(sender, typed)) == ["utter_support_ask_time"]
    assert responses(assistant.say(sender, choose("morning"))) == ["utter_support_ask_message"]
    summary = assistant.say(sender, MESSAGE[language])
    assert responses(summary) == ["utter_support_summary", ""]
    assert summary[1]["text"].endswith(MESSAGE[language]) and number in summary[1]["text"]
    done = assistant.say(sender, choose("send"))
    assert responses(done)[0] in ("utter_support_left_open", "utter_support_left_closed")
    detail = stored(store, done)
    assert (detail.contact_method, detail.contact, detail.text) == ("phone", number, MESSAGE[language])
    assert (detail.language, detail.country, detail.urgent) == (language, COUNTRY[language], False)
    assert detail.best_time and detail.conversation_id == sender


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_email_address_and_a_change_from_the_summary(assistant, inbox, language) -> None:
    store, sender = inbox[0], new_sender()
    consent_given(assistant, sender, language)
    assert responses(assistant.say(sender, choose("email"))) == ["utter_support_ask_email"]
    assert responses(assistant.say(sender, "not-an-address@"))[0] == "utter_support_email_invalid"
    assistant.say(sender, "Sam.Jansen@Example.NL")
    assistant.say(sender, LATER[language])
    assistant.say(sender, "...")
    again = assistant.say(sender, choose("change_message"))
    assert responses(again) == ["utter_support_ask_message"]
    assert responses(assistant.say(sender, MESSAGE[language])) == ["utter_support_summary", ""]
    detail = stored(store, assistant.say(sender, choose("send")))
    assert (detail.contact, detail.best_time) == ("Sam.Jansen@example.nl", LATER[language])
    assert detail.text == MESSAGE[language]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_red_flag_inside_the_form_gets_the_fixed_answer_and_the_message_is_urgent(assistant, inbox, language) -> None:
    store, sender = inbox[0], new_sender()
    consent_given(assistant, sender, language)
    assert responses(assistant.say(sender, choose("none"))) == ["utter_support_ask_message"]
    answer = assistant.say(sender, RED_FLAG[language])
    assert answer[0]["text"] == response_text("utter_red_flag", language, COUNTRY[language])
    assert responses(answer) == ["utter_red_flag", "utter_support_go_on", "utter_support_summary", ""]
    assert answer[-1]["text"].endswith(RED_FLAG[language])
    detail = stored(store, assistant.say(sender, choose("send")))
    assert detail.urgent is True and detail.text == RED_FLAG[language] and detail.contact is None


def test_a_crisis_at_the_first_question_then_the_message_is_left_urgent(assistant, inbox) -> None:
    store, sender = inbox[0], new_sender()
    assert responses(assistant.say(sender, START["en"], language="en")) == ["utter_support_consent"]
    answer = assistant.say(sender, "I don't want to be here anymore")
    assert answer[0]["text"] == response_text("utter_crisis", "en", "UK")
    assert responses(answer) == ["utter_crisis", "utter_support_go_on", "utter_support_consent_again"]
    assistant.say(sender, "/affirm")
    assistant.say(sender, choose("none"))
    assistant.say(sender, "Please read this, I am not doing well since the ICU.")
    assert stored(store, assistant.say(sender, choose("send"))).urgent is True


def test_a_maybe_sign_inside_the_form_gets_the_urgent_check_and_its_answers(assistant) -> None:
    sender = new_sender()
    consent_given(assistant, sender, "en")
    check = assistant.say(sender, "my mum had a rash on her legs last week and it's still there")
    assert [m["text"] for m in check] == [response_text("utter_red_flag_check", "en", "UK")]
    assert responses(assistant.say(sender, "/affirm")) == ["utter_red_flag"]
    # asking again picks up where the form stopped: consent was given
    assert responses(assistant.say(sender, "/leave_message")) == ["utter_support_ask_method"]


def test_the_fourth_message_of_a_conversation_gets_the_limits_answer(assistant, inbox) -> None:
    sender = new_sender()
    for number in range(3):
        assert responses(leave_quickly(assistant, sender, f"message {number}"))[0].startswith("utter_support_left_")
    refused = leave_quickly(assistant, sender, "message 4")
    assert responses(refused)[0] == "utter_support_too_many"
    assert "0808 800 0029" in "\n".join(m.get("text") or "" for m in refused)
    assert len([s for s in inbox[0].list() if s.preview.startswith("message ")]) == 3


@pytest.mark.parametrize("language", ["nl", "en"])
def test_stop_and_no_consent_store_nothing(assistant, inbox, language) -> None:
    store, sender = inbox[0], new_sender()
    before = len(store.list())
    consent_given(assistant, sender, language)
    assistant.say(sender, choose("phone"))
    stopped = assistant.say(sender, "stop")
    assert responses(stopped) == ["utter_support_stopped"]
    assistant.say(sender, "/leave_message")
    refused = assistant.say(sender, "/deny")
    assert responses(refused)[0] == "utter_support_no_consent"
    assert not any(b["payload"] == "/leave_message" for m in refused for b in m.get("buttons") or [])
    assert len(store.list()) == before


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_helpline_answer_and_did_this_help_no_offer_a_message(assistant, language) -> None:
    helpline = assistant.say(new_sender(), "/helpline", language=language)
    assert any(b["payload"] == "/leave_message" for m in helpline for b in m.get("buttons") or [])
    sender = new_sender()
    assistant.say(sender, "/exercise", language=language)
    sorry = assistant.say(sender, "/deny")
    assert any(b["payload"] == "/leave_message" for m in sorry for b in m.get("buttons") or [])
    assert responses(assistant.say(sender, "/leave_message")) == ["utter_support_consent"]


def test_with_the_inbox_off_the_phone_routes_come_instead(model_path, inbox, tmp_path) -> None:
    settings = yaml.safe_load((CONTENT_DIR / "support_team.yml").read_text(encoding="utf-8"))
    for country in ("NL", "UK"):
        settings[country]["enabled"] = False
    (tmp_path / "team.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    off = Assistant(model_path, env={**inbox[1], "SUPPORT_TEAM_FILE": str(tmp_path / "team.yml")})
    try:
        for language in ("nl", "en"):
            answer = off.say(new_sender(), START[language], language=language)
            assert responses(answer)[0] == "utter_support_team_off" and len(answer) >= 2, answer
            helpline = off.say(new_sender(), "/helpline", language=language)
            assert not any(b["payload"] == "/leave_message" for m in helpline for b in m.get("buttons") or [])
    finally:
        off.stop()


def test_no_message_or_contact_details_in_the_logs(assistant) -> None:
    """Runs last: what the tests above typed never reached the servers' logs."""
    log = assistant.log()
    assert log.strip()
    for typed in [*MESSAGE.values(), *RED_FLAG.values(), PHONE["nl"][0], PHONE["en"][0], "Sam.Jansen"]:
        assert typed not in log
