"""End to end with the action server DOWN: both escalations still answer,
in both languages, because they are plain responses chosen by rules, and
/model/parse shows the safety layer's decision."""

from __future__ import annotations

import pytest

from tests.content_data import response_text
from tests.servers import Assistant


@pytest.fixture(scope="module")
def assistant_without_actions(model_path):
    running = Assistant(model_path, with_actions=False)
    yield running
    running.stop()


@pytest.mark.parametrize(
    "sender,text,metadata,response,language,country",
    [
        ("rf-nl", "mijn moeder is ineens heel verward en ademt snel", {"language": "nl"}, "utter_red_flag", "nl", "NL"),
        (
            "rf-en",
            "my dad is suddenly very confused and his skin looks blotchy",
            {"language": "en"},
            "utter_red_flag",
            "en",
            "UK",
        ),
        (
            "rf-en-nl",
            "my son can't breathe properly and he's gone grey",
            {"language": "en", "country": "NL"},
            "utter_red_flag",
            "en",
            "NL",
        ),
        ("cr-nl", "ik wil er gewoon niet meer zijn", {"language": "nl"}, "utter_crisis", "nl", "NL"),
        ("cr-en", "I don't want to be here anymore", {}, "utter_crisis", "en", "UK"),
    ],
)
def test_escalations_answer_without_the_action_server(
    assistant_without_actions,
    sender,
    text,
    metadata,
    response,
    language,
    country,
) -> None:
    answer = assistant_without_actions.say(sender, text, **metadata)
    assert [m["text"] for m in answer] == [response_text(response, language, country)]


def test_an_escalation_in_the_middle_of_a_conversation_without_actions(assistant_without_actions) -> None:
    sender = "rf-mid"
    first = assistant_without_actions.say(sender, "mijn haar valt uit sinds de sepsis", language="nl")
    assert first[0]["text"] == response_text("utter_hair_loss", "nl", "NL")
    answer = assistant_without_actions.say(sender, "o nee, mijn vader heeft ineens een stuip")
    assert answer[0]["text"] == response_text("utter_red_flag", "nl", "NL")


def test_model_parse_shows_the_safety_decision(assistant_without_actions) -> None:
    status, parsed = assistant_without_actions.parse("mijn moeder is ineens heel verward en ademt snel")
    assert status == 200
    assert parsed["intent"] == {"name": "red_flag", "confidence": 1.0}
    assert {e["value"] for e in parsed["entities"] if e["entity"] == "safety_sign"} == {"confusion", "breathing"}
    assert parsed["safety"]["fired"] == "red_flag"
    status, parsed = assistant_without_actions.parse("wat betekent een gemarmerde huid?")
    assert parsed["intent"]["name"] not in ("red_flag", "crisis")
    assert parsed["safety"]["ignored"][0]["ignored_because"] == "general"
