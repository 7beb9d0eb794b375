"""The content is complete and consistent: every topic of the catalogue has
its examples, answers, rules and test stories in both languages, signposts
point to known organisations, and numbers agree with content/contacts.yml.
The rules themselves live in the content check (authoring/check.py, also
`make check-content`); these tests run it per topic and per intent."""

from __future__ import annotations

import re
from typing import List

import pytest
from rasa.shared.core.domain import Domain

from authoring import links
from authoring.check import Problem, answer_problems, example_problems, problems, readability_problems
from authoring.project import Project
from tests.conftest import SHARED
from tests.content_data import ROOT, read_yaml, response_text

DOMAIN = Domain.load(str(ROOT / "domain"))
TOPICS = read_yaml(ROOT / "content" / "topics.yml")["topics"]
ORGS = read_yaml(ROOT / "content" / "contacts.yml")["organisations"]
PROJECT = Project(ROOT)
PROBLEMS = problems(PROJECT)
OTHER_INTENTS = [i for i in PROJECT.intents if i not in TOPICS and i != "nlu_fallback"]
LANGUAGES = ("nl", "en")


def about(subject: str) -> List[str]:
    """The content check's problems about one topic, intent or response."""
    return [str(p) for p in PROBLEMS if p.subject == subject]


@pytest.mark.skipif(not (SHARED / "topics.yml").exists(), reason="../shared/topics.yml is not beside this clone")
def test_catalogue_ids_are_the_contract_of_shared_topics() -> None:
    shared = shared_topic_ids(SHARED / "topics.yml")
    assert list(TOPICS) == shared["information"]
    assert set(shared["safety"]) <= set(DOMAIN.intents)
    assert set(shared["conversation"]) <= set(DOMAIN.intents)


def shared_topic_ids(path) -> dict:
    """Ids per section of the shared catalogue (read line by line: its
    `sources` lists are not strict YAML)."""
    sections, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        header = re.match(r"^(\w+):\s*(#.*)?$", line)
        if header:
            current = sections.setdefault(header.group(1), [])
        item = re.match(r"^\s+- id:\s*(\w+)", line)
        if item and current is not None:
            current.append(item.group(1))
    return sections


@pytest.mark.parametrize("topic", list(TOPICS))
def test_topic_is_complete_in_both_languages(topic: str) -> None:
    """Titles, signposts, >= 25 examples and held-out examples per language,
    answers in both languages without numbers or links of their own, the
    answer rule and the in-form rule, test stories in both languages."""
    assert about(topic) == []


@pytest.mark.parametrize("intent", OTHER_INTENTS)
def test_conversation_and_safety_intents_have_examples_and_rules(intent: str) -> None:
    assert about(intent) == []


def test_conversation_and_safety_intents_are_checked() -> None:
    assert {"greet", "red_flag", "crisis", "duration_short", "complaint_formal"} <= set(OTHER_INTENTS)


def test_no_example_is_trained_under_two_intents_and_heldout_is_never_trained_on() -> None:
    assert [str(p) for p in example_problems(PROJECT)] == []


def test_answers_quote_only_numbers_and_links_of_contacts() -> None:
    assert [str(p) for p in answer_problems(PROJECT)] == []


def test_answers_meet_the_readability_targets() -> None:
    assert [str(p) for p in readability_problems(PROJECT)] == []


def test_every_problem_names_a_file_and_line() -> None:
    assert all(isinstance(p, Problem) and p.place.line >= 1 for p in PROBLEMS)


@pytest.mark.parametrize("org_id", list(ORGS))
def test_organisations_are_described_in_both_languages(org_id: str) -> None:
    org = ORGS[org_id]
    for field in ("name", "what"):
        assert {"en", "nl"} <= set(org[field]) and all(org[field][lang].strip() for lang in LANGUAGES)


def phone(org_id: str) -> str:
    return ORGS[org_id]["phone"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_escalation_answers_quote_the_numbers_of_contacts(language: str) -> None:
    uk_flag = response_text("utter_red_flag", language, "UK")
    nl_flag = response_text("utter_red_flag", language, "NL")
    assert phone("emergency_uk") in uk_flag and phone("nhs_111") in uk_flag
    assert phone("emergency_nl") in nl_flag and phone("emergency_uk") not in nl_flag
    for crisis in ("utter_crisis", "utter_crisis_relative"):
        uk_crisis = response_text(crisis, language, "UK")
        nl_crisis = response_text(crisis, language, "NL")
        assert phone("samaritans") in uk_crisis and phone("emergency_uk") in uk_crisis
        for needed in (
            phone("zelfmoordpreventie_113"),
            ORGS["zelfmoordpreventie_113"]["phone_alt"],
            "113.nl",
            phone("emergency_nl"),
        ):
            assert needed in nl_crisis
    prompt = "Zou het sepsis kunnen zijn?" if language == "nl" else "Could it be sepsis?"
    assert prompt in uk_flag and prompt in nl_flag


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_urgent_check_gives_the_numbers_first_then_one_question(language: str) -> None:
    """Emergency number and the not-sure route in the first line; buttons
    answer the one question: happening now (escalates) or not."""
    for country, first in (("UK", (phone("emergency_uk"), phone("nhs_111"))), ("NL", (phone("emergency_nl"),))):
        text = response_text("utter_red_flag_check", language, country)
        assert all(number in text.splitlines()[0] for number in first), text
        assert phone("emergency_uk" if country == "NL" else "emergency_nl") not in text
    variants = [v for v in DOMAIN.responses["utter_red_flag_check"]]
    assert all([b["payload"] for b in v["buttons"]] == ["/affirm", "/deny"] for v in variants)


def test_default_escalation_answers_carry_both_countries_numbers() -> None:
    defaults = {
        name: next(v["text"] for v in DOMAIN.responses[name] if not v.get("condition"))
        for name in ("utter_red_flag", "utter_crisis", "utter_crisis_relative", "utter_red_flag_check")
    }
    for name in ("utter_red_flag", "utter_red_flag_check"):
        assert all(phone(o) in defaults[name] for o in ("emergency_uk", "nhs_111", "emergency_nl"))
    for name in ("utter_crisis", "utter_crisis_relative"):
        assert all(phone(o) in defaults[name] for o in ("samaritans", "zelfmoordpreventie_113"))


@pytest.mark.parametrize(
    "text,found",
    [
        ("Call the helpline on 0808 800 0029 today.", {"0808 800 0029"}),
        ("bel 113 of 0800-0113", {"113", "0800-0113"}),
        ("In 2016 there were 60.000 patients, 3,8 billion.", set()),
    ],
)
def test_phone_pattern_finds_numbers_but_not_years_or_amounts(text: str, found: set) -> None:
    assert links.phone_numbers(text) == found


def test_the_widgets_offline_numbers_are_those_of_contacts() -> None:
    """The widget shows emergency numbers when the server cannot be reached;
    they must be the numbers of content/contacts.yml (widget/offline.py)."""
    from widget.offline import texts as widget_texts

    texts = [
        text
        for key in ("widget_offline", "widget_saved")
        for by_country in widget_texts(key).values()
        for text in by_country.values()
    ]
    found = links.phone_numbers(" ".join(texts))
    known = links.known_numbers(ORGS)
    assert found and found <= known, found - known


def test_nothing_is_left_to_fill_in() -> None:
    assert [str(p) for p in PROBLEMS if p.message.startswith("TODO left")] == []
