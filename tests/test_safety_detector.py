"""The deterministic safety layer: table-driven over eval/safety/cases_<lang>.yml
(every positive must escalate; recall and false-alarm rate are printed per
language), the policy's context rules, the pattern notation, and the Rasa
component's effect on a parsed message."""

from __future__ import annotations

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.safety_detector import SafetyDetector
from components.safety_notation import split_alternatives
from components.safety_patterns import SafetyRules, load_all
from components.safety_policy import Verdict
from tests.conftest import ROOT, SAFETY_RESULTS
from tests.safety_eval import ACCEPTED

RULES = load_all(ROOT / "data" / "safety")
CASES = {
    lang: yaml.safe_load((ROOT / "eval" / "safety" / f"cases_{lang}.yml").read_text(encoding="utf-8"))
    for lang in ("nl", "en")
}
MAX_FALSE_ALARM_RATE = 0.05


def verdict(text: str):
    """The combined verdict of both languages' patterns, as the component gives it."""
    return Verdict.of([m for rules in RULES.values() for m in rules.analyse(text).matches]).kind


@pytest.mark.parametrize("language", ["nl", "en"])
def test_detector_on_the_case_tables(language: str) -> None:
    cases = CASES[language]
    assert len(cases["positives"]) >= 150 and len(cases["negatives"]) >= 100
    found = {c["text"]: verdict(c["text"]) for c in cases["positives"]}
    missed = [
        (c["kind"], c["text"], found[c["text"]])
        for c in cases["positives"]
        if found[c["text"]] not in ACCEPTED[c["kind"]]
    ]
    alarms = [(c.get("why"), c["text"]) for c in cases["negatives"] if verdict(c["text"]) in ("red_flag", "crisis")]
    recall = 1 - len(missed) / len(cases["positives"])
    false_alarm_rate = len(alarms) / len(cases["negatives"])
    SAFETY_RESULTS[language] = {
        "recall": recall,
        "false_alarms": false_alarm_rate,
        "positives": len(cases["positives"]),
        "negatives": len(cases["negatives"]),
    }
    assert missed == [], f"{language}: recall {recall:.1%}, missed: {missed}"
    assert false_alarm_rate <= MAX_FALSE_ALARM_RATE, f"{language}: false alarms {alarms}"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("mijn moeder is ineens heel verward en ademt snel", "red_flag"),
        ("my dad is suddenly very confused and his skin looks blotchy", "red_flag"),
        ("cant breath", "red_flag"),  # typos
        ("mijn vader is zo verwart", "red_flag"),
        ("mijn ademhalng gaat zo snel", "red_flag"),
        ("hij ademt heel snel en zwaar", "red_flag"),  # Dutch word order
        ("zwaar en snel ademen doet hij", "red_flag"),
        ("ons zoontje heeft ineens allemaal vlekjes", "red_flag"),  # diminutives
        ("hij plast al de hele dag niet", "red_flag"),  # separable verbs
        (
            "We had a nice day at the park. Then suddenly my mum started talking nonsense "
            "and now she looks really grey. I don't know what to do.",
            "red_flag",
        ),  # buried
        ("i want to die", "crisis"),
        ("ik wil er niet meer zijn", "crisis"),
        ("I've been cutting myself again", "crisis"),
        ("my son is confused and says he wants to kill himself", "crisis"),  # crisis wins
        ("wat betekent een gemarmerde huid?", None),  # general question
        ("what does mottled skin mean?", None),
        ("I'm not breathless any more", None),  # negated
        ("hij heeft geen koorts meer", None),
        ("I was confused for weeks in the ICU last year", None),  # past
        ("toen ik op de IC lag was ik erg verward", None),
        ("I'm dying to see my grandchildren again", None),  # idiom
        ("I'm not suicidal, just tired of being tired", None),
        ("my mum died of sepsis last year", None),
        ("how do I go back to work after sepsis", None),
        ("mijn moeheid wordt steeds slechter", None),  # a flow answer, not a rapid decline
        ("hij gaat met het uur achteruit", "red_flag"),
    ],
)
def test_policy_examples(text: str, expected) -> None:
    assert verdict(text) == expected


def test_a_past_sign_next_to_a_present_one_still_escalates() -> None:
    assert verdict("I was confused in the ICU last year but now my lips are blue") == "red_flag"


def test_punctuation_glued_to_a_word_by_an_invisible_character_is_split_off() -> None:
    for text in (
        "\ufe0f!how many paracetamol would be a lethal dose",
        "how many paracetamol would be a lethal dose.\ufe0f",
    ):
        assert RULES["en"].analyse(text).kind == "crisis", text
    words = [t.norm for t in RULES["en"].normalise("\ufe0f!how many?\u200b")]
    assert words == ["!", "how", "many", "?"]


def test_gaps_never_skip_a_negation() -> None:
    rules = SafetyRules(
        {"language": "en", "red_flag": {"lips": {"phrases": ["lips .. blue"]}}, "context": {"negation": ["not|no"]}}
    )
    assert rules.analyse("his lips are blue").kind == "red_flag"
    assert rules.analyse("his lips are not blue").kind is None


@pytest.mark.parametrize(
    "piece,alternatives",
    [
        ("a|b", [["a"], ["b"]]),
        ("(can not|unable)", [["can", "not"], ["unable"]]),
        ("x|(y z)|w", [["x"], ["y", "z"], ["w"]]),
    ],
)
def test_pattern_notation(piece: str, alternatives) -> None:
    assert split_alternatives(piece) == alternatives


# ---------------------------------------------------------------- the Rasa component
@pytest.fixture(scope="module")
def component() -> SafetyDetector:
    return SafetyDetector(SafetyDetector.get_default_config(), None, None, SafetyDetector._read_files({}))


def message(text: str, intent: str, ranking) -> Message:
    return Message(
        data={
            TEXT: text,
            INTENT: {"name": intent, "confidence": ranking[0][1]},
            INTENT_RANKING_KEY: [{"name": n, "confidence": c} for n, c in ranking],
        }
    )


def test_a_sign_sets_the_intent_with_full_confidence_and_records_why(component) -> None:
    parsed = message(
        "mijn moeder is ineens heel verward en ademt snel", "fatigue", [("fatigue", 0.6), ("red_flag", 0.3)]
    )
    component.process([parsed])
    assert parsed.get(INTENT) == {"name": "red_flag", "confidence": 1.0}
    assert parsed.get(INTENT_RANKING_KEY)[0] == {"name": "red_flag", "confidence": 1.0}
    signs = {e["value"] for e in parsed.get(ENTITIES) if e["entity"] == "safety_sign"}
    assert signs == {"confusion", "breathing"}
    assert parsed.get("safety")["fired"] == "red_flag"
    assert {m["text"] for m in parsed.get("safety")["matched"]} >= {"verward", "ademt snel"}


def test_a_classifier_guess_is_overruled_when_the_sign_is_clearly_not_now(component) -> None:
    parsed = message(
        "he is not confused any more",
        "red_flag",
        [("red_flag", 0.5), ("nlu_fallback", 0.2), ("recovery_after_hospital", 0.2)],
    )
    component.process([parsed])
    assert parsed.get(INTENT)["name"] == "recovery_after_hospital"
    assert parsed.get("safety")["overruled"] == "red_flag"
    assert parsed.get("safety")["ignored"][0]["ignored_because"] == "negated"


def test_a_classifier_red_flag_guess_alone_gets_the_urgent_check_not_999(component) -> None:
    parsed = message(
        "something is not right with my husband, please help", "red_flag", [("red_flag", 0.7), ("helpline", 0.2)]
    )
    component.process([parsed])
    assert parsed.get(INTENT)["name"] == "red_flag_check"
    assert parsed.get("safety")["fired"] == "red_flag_check"
    assert parsed.get("safety")["source"] == "classifier"
    topics = [e["value"] for e in parsed.get(ENTITIES) if e["entity"] == "pending_topic"]
    assert topics == ["helpline"]


def test_a_classifier_crisis_guess_alone_stands(component) -> None:
    parsed = message("everything is pointless", "crisis", [("crisis", 0.4), ("mental_health", 0.3)])
    component.process([parsed])
    assert parsed.get(INTENT)["name"] == "crisis"
    assert [e["value"] for e in parsed.get(ENTITIES) if e["entity"] == "crisis_about"] == ["self"]


@pytest.mark.parametrize(
    "text,about",
    [
        ("my son says he wants to kill himself", "relative"),
        ("I found out my daughter has been cutting herself", "relative"),  # the person named inside the sign
        ("we discovered our son has been cutting", "relative"),
        ("I told my husband I want to die", "self"),
        ("mijn man heeft afscheidsbrieven geschreven", "relative"),
    ],
)
def test_a_crisis_told_by_a_relative_is_marked_so(component, text: str, about: str) -> None:
    parsed = message(text, "mental_health", [("mental_health", 0.5)])
    component.process([parsed])
    assert parsed.get(INTENT) == {"name": "crisis", "confidence": 1.0}
    assert [e["value"] for e in parsed.get(ENTITIES) if e["entity"] == "crisis_about"] == [about]
