"""End to end: the real Rasa server and action server, started on free local
ports, answering through the REST channel as the website widget would."""

from __future__ import annotations

import itertools

import pytest

from tests.content_data import response_summary, response_text
from tests.servers import Assistant

_senders = itertools.count()


def new_sender() -> str:
    return f"e2e-{next(_senders)}"


@pytest.fixture(scope="module")
def assistant(model_path):
    running = Assistant(model_path)
    yield running
    running.stop()


def texts(messages) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_dutch_fatigue_question_is_answered_in_dutch(assistant) -> None:
    answer = assistant.say(new_sender(), "ik ben zo moe sinds de ic", language="nl")
    assert answer[0]["text"] == response_text("utter_fatigue", "nl", "NL")
    assert "Sepsis en daarna" in texts(answer)
    assert answer[-1]["text"] == response_text("utter_ask_fatigue_since", "nl", "NL")


def test_english_fatigue_question_is_answered_in_english(assistant) -> None:
    answer = assistant.say(new_sender(), "I am so tired since intensive care", language="en")
    assert answer[0]["text"] == response_text("utter_fatigue", "en", "UK")
    assert "0808 800 0029" in texts(answer)


def test_language_comes_from_metadata_at_session_start(assistant) -> None:
    answer = assistant.say(new_sender(), "/greet", language="nl")
    assert answer[0]["text"] == response_text("utter_greet", "nl", "NL")
    assert len(answer[1]["buttons"]) >= 6


def test_country_from_metadata_picks_emergency_numbers(assistant) -> None:
    answer = assistant.say(new_sender(), "/greet", language="en", country="NL")
    assert answer[0]["text"] == response_text("utter_greet", "en", "NL") and "112" in answer[0]["text"]


def test_explicit_switch_then_answers_in_the_new_language(assistant) -> None:
    sender = new_sender()
    assistant.say(sender, "/greet", language="nl")
    switched = assistant.say(sender, "English please")
    assert switched[0]["text"] == response_text("utter_language_switched", "en", "UK")
    answer = assistant.say(sender, "/hair_loss")
    assert answer[0]["text"] == response_text("utter_hair_loss", "en", "UK")


def test_writing_clearly_in_the_other_language_switches(assistant) -> None:
    sender = new_sender()
    answer = assistant.say(sender, "my hair is falling out since the sepsis", language="nl")
    assert answer[0]["text"] == response_text("utter_hair_loss", "en", "UK")


def test_feedback_no_offers_the_helpline(assistant) -> None:
    sender = new_sender()
    asked = assistant.say(sender, "/exercise", language="en")
    assert asked[-1]["text"] == response_text("utter_ask_feedback", "en", "UK")
    assert [b["payload"] for b in asked[-1]["buttons"]] == ["/affirm", "/deny"]
    answer = assistant.say(sender, "/deny")
    assert answer[0]["text"] == response_text("utter_feedback_sorry", "en", "UK")
    assert "0808 800 0029" in texts(answer)


def test_support_group_finder_names_the_group(assistant) -> None:
    sender = new_sender()
    asked = assistant.say(sender, "is there a support group near me", language="en")
    assert "postcode" in texts(asked).lower()
    answer = assistant.say(sender, "BN3 3WR")
    assert "East Sussex Sepsis Support Group" in texts(answer)


def test_question_inside_the_finder_is_answered_and_the_finder_resumes(assistant) -> None:
    sender = new_sender()
    assistant.say(sender, "/find_support_group", language="en")
    middle = assistant.say(sender, "wait, is it normal that my hair is falling out?")
    assert middle[0]["text"] == response_text("utter_hair_loss", "en", "UK")
    assert "postcode" in middle[-1]["text"].lower()
    answer = assistant.say(sender, "CM1 7ET")
    assert "Essex Sepsis Support Group" in texts(answer)


def test_invalid_postcode_is_explained_and_asked_again(assistant) -> None:
    sender = new_sender()
    assistant.say(sender, "/find_support_group", language="en")
    answer = assistant.say(sender, "somewhere near the sea")
    assert "doesn't look like a UK postcode" in texts(answer)
    assert "postcode" in answer[-1]["text"].lower()


def test_the_user_can_stop_the_finder(assistant) -> None:
    sender = new_sender()
    assistant.say(sender, "/find_support_group", language="nl", country="UK")
    answer = assistant.say(sender, "stop")
    assert answer[0]["text"] == response_text("utter_form_stopped", "nl", "UK")


def test_dutch_users_get_peer_contact_without_a_postcode(assistant) -> None:
    answer = assistant.say(new_sender(), "/find_support_group", language="nl")
    text = texts(answer)
    assert "lotgenotencontact" in text and "postcode" not in text.lower()


def test_restart_starts_a_new_session_in_the_widgets_language(assistant) -> None:
    sender = new_sender()
    assistant.say(sender, "/greet", language="nl")
    assistant.say(sender, "/employment_employed", language="nl")
    restarted = assistant.say(sender, "/restart", language="nl")
    assert "opnieuw" in texts(restarted)
    answer = assistant.say(sender, "/return_to_work", language="nl")
    assert answer[0]["text"] == response_text("utter_return_to_work", "nl", "NL")
    # the employment answer was forgotten with the old session: asked again
    assert answer[-1]["text"] == response_text("utter_ask_employment", "nl", "NL")


def test_model_parse_names_the_topic_and_needs_the_token(assistant) -> None:
    status, parsed = assistant.parse("mijn haar valt uit na de sepsis")
    assert status == 200 and parsed["intent"]["name"] == "hair_loss"
    assert assistant.parse("hello", token=None)[0] == 401


def test_fatigue_flow_in_dutch_one_step_at_a_time(assistant) -> None:
    sender = new_sender()
    first = assistant.say(sender, "ik ben constant moe sinds de sepsis", language="nl")
    assert first[-1]["text"] == response_text("utter_ask_fatigue_since", "nl", "NL")
    assert [b["payload"] for b in first[-1]["buttons"]] == ["/duration_short", "/duration_medium", "/duration_long"]
    since = assistant.say(sender, "ongeveer 5 maanden geleden")
    assert [m["text"] for m in since] == [
        response_text("utter_fatigue_since_medium", "nl", "NL"),
        response_text("utter_ask_fatigue_trend", "nl", "NL"),
    ]
    worse = assistant.say(sender, "/trend_worse")
    assert [m["text"] for m in worse] == [
        response_text(r, "nl", "NL") for r in ("utter_fatigue_worse", "utter_sepsis_symptoms", "utter_ask_fatigue_step")
    ]
    step = assistant.say(sender, "ja graag")
    assert step[0]["text"] == response_text("utter_fatigue_step_1", "nl", "NL")


def test_work_flow_remembers_employment_and_links_money(assistant) -> None:
    sender = new_sender()
    assistant.say(sender, "when can I go back to work after sepsis", language="en", country="UK")
    employed = assistant.say(sender, "/employment_employed")
    assert employed[0]["text"] == response_text("utter_work_employed", "en", "UK")
    money = assistant.say(sender, "/affirm")
    assert money[0]["text"] == response_text("utter_finances", "en", "UK")
    again = assistant.say(sender, "how do I go back to my job")
    assert response_text("utter_ask_employment", "en", "UK") not in [m["text"] for m in again]
    assert response_text("utter_work_employed", "en", "UK") in [m["text"] for m in again]


def test_the_server_froze_its_start_up_objects(assistant) -> None:
    """channels/memory.py ran once the model was loaded (the log says how many)."""
    import re
    import time

    deadline = time.monotonic() + 20
    while not re.search(r"Froze (\d+) start-up objects", assistant.log()) and time.monotonic() < deadline:
        time.sleep(0.5)
    frozen = re.search(r"Froze (\d+) start-up objects", assistant.log())
    assert frozen and int(frozen.group(1)) > 100_000  # Rasa, TensorFlow and the model


def test_every_topic_answer_is_short_first_and_at_most_two_bubbles(assistant) -> None:
    """Over REST, every topic's answer in both languages carries its summary
    and its organisations as link cards, and draws as at most two bubbles
    besides "did this help?" (widget/answer_shape.py prints the table)."""
    from base.content import topics
    from widget.answer_shape import PAIRS, ask, shape, table

    shapes = []
    for topic in topics():
        for language, country in PAIRS:
            reply = ask(assistant.url, f"/{topic}", language, country)
            answer = next(m for m in reply if m.get("response") == f"utter_{topic}")
            assert answer["summary"] == response_summary(f"utter_{topic}", language, country)
            assert any(m.get("cards") for m in reply), (topic, language)
            shapes.append(shape(topic, language, reply))
    print("\n" + table(shapes))
    too_many = [(s.topic, s.language, s.bubbles) for s in shapes if s.bubbles > 2]
    assert too_many == []
    assert all(s.words_first < s.words_all for s in shapes)
