"""The content is complete and consistent: every topic of the catalogue has
its examples, answers, rules and test stories in both languages, signposts
point to known organisations, and numbers agree with content/contacts.yml."""
from __future__ import annotations

import re

import pytest
from rasa.shared.core.domain import Domain

from tests.conftest import SHARED
from tests.content_data import (
    ROOT, heldout_examples, plain, read_yaml, response_text, steps_of, training_examples,
)

DOMAIN = Domain.load(str(ROOT / "domain"))
TOPICS = read_yaml(ROOT / "content" / "topics.yml")["topics"]
ORGS = read_yaml(ROOT / "content" / "contacts.yml")["organisations"]
CONVERSATION_INTENTS = [
    "greet", "goodbye", "thanks", "bot_challenge", "out_of_scope", "affirm", "deny",
    "stop", "restart", "menu", "switch_language", "find_support_group", "inform_postcode",
    # answers to the guided flows' questions
    "duration_short", "duration_medium", "duration_long", "trend_better", "trend_same",
    "trend_worse", "employment_employed", "employment_self", "employment_none",
    "complaint_informal", "complaint_formal",
]
MIN_TOPIC_EXAMPLES = 25
LANGUAGES = ("nl", "en")


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
    assert topic in DOMAIN.intents
    assert f"utter_{topic}" in DOMAIN.responses
    for language in LANGUAGES:
        count = len(set(map(plain, training_examples()[topic][language])))
        assert count >= MIN_TOPIC_EXAMPLES, f"{topic}/{language}: {count} examples"
        assert titles_ok(topic, language)
    rules = [r for r in steps_of(ROOT / "data" / "rules", "rules")
             if any(step.get("intent") == topic for step in r["steps"])]
    in_form = [r for r in rules if {"active_loop": "support_group_form"} in (r.get("condition") or [])]
    assert len(in_form) == 1 and len(rules) >= 2, f"{topic}: needs its answer rule and its in-form rule"
    stories = steps_of(ROOT / "tests" / "stories", "stories")
    languages = {s["story"].rsplit("(", 1)[-1].rstrip(")") for s in stories
                 if any(step.get("intent") == topic for step in s["steps"])}
    assert set(LANGUAGES) <= languages, f"{topic}: test stories only in {languages}"


def titles_ok(topic: str, language: str) -> bool:
    return bool(TOPICS[topic]["title"][language].strip())


@pytest.mark.parametrize("intent", CONVERSATION_INTENTS + ["red_flag", "crisis"])
def test_conversation_and_safety_intents_have_examples_in_both_languages(intent: str) -> None:
    for language in LANGUAGES:
        assert len(training_examples()[intent][language]) >= 20, f"{intent}/{language}"


def test_no_example_is_trained_under_two_intents() -> None:
    owners = {}
    clashes = []
    for intent, by_language in training_examples().items():
        for example in {plain(e) for examples in by_language.values() for e in examples}:
            if example in owners and owners[example] != intent:
                clashes.append((example, owners[example], intent))
            owners[example] = intent
    assert clashes == []


def test_heldout_examples_are_never_trained_on() -> None:
    trained = {plain(e) for by_language in training_examples().values()
               for examples in by_language.values() for e in examples}
    leaked = [e for by_language in heldout_examples().values()
              for examples in by_language.values() for e in examples if plain(e) in trained]
    assert leaked == []


def test_signposts_name_known_organisations_of_the_right_country() -> None:
    for topic, spec in TOPICS.items():
        for country, org_ids in spec["signposts"].items():
            for org_id in org_ids:
                assert org_id in ORGS, f"{topic}: unknown organisation {org_id}"
                assert ORGS[org_id]["country"] == country, f"{topic}: {org_id} is not in {country}"


@pytest.mark.parametrize("org_id", list(ORGS))
def test_organisations_are_described_in_both_languages(org_id: str) -> None:
    org = ORGS[org_id]
    for field in ("name", "what"):
        assert {"en", "nl"} <= set(org[field]) and all(org[field][lang].strip() for lang in LANGUAGES)


# Phone-like: three or more digits, maybe with spaces or hyphens; not part of
# a number like 60.000 or 3,8, and not a year.
PHONE = re.compile(r"(?<![\w.,-])\d[\d -]{1,12}\d(?![\w-]|[.,]\d)")
YEAR = re.compile(r"^(19|20)\d\d$")
URL = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:nl|org|uk|com)\b", re.IGNORECASE)
EMERGENCY_NUMBERS = {ORGS["emergency_uk"]["phone"], ORGS["nhs_111"]["phone"], ORGS["emergency_nl"]["phone"]}


@pytest.mark.parametrize("topic", list(TOPICS))
def test_topic_answers_carry_no_phone_numbers_or_links(topic: str) -> None:
    """Numbers and links come from contacts.yml through the signposts; only
    the signs-of-sepsis answer may name the emergency numbers."""
    allowed = EMERGENCY_NUMBERS if topic == "sepsis_symptoms" else set()
    for variant in DOMAIN.responses[f"utter_{topic}"]:
        text = variant["text"]
        numbers = {n.strip() for n in PHONE.findall(text)
                   if len(re.sub(r"\D", "", n)) >= 3 and not YEAR.match(n.strip())}
        assert numbers <= allowed, f"{topic}: numbers {numbers - allowed}"
        assert not URL.search(text), f"{topic}: a link in the answer"


def phone(org_id: str) -> str:
    return ORGS[org_id]["phone"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_escalation_answers_quote_the_numbers_of_contacts(language: str) -> None:
    uk_flag = response_text("utter_red_flag", language, "UK")
    nl_flag = response_text("utter_red_flag", language, "NL")
    assert phone("emergency_uk") in uk_flag and phone("nhs_111") in uk_flag
    assert phone("emergency_nl") in nl_flag and phone("emergency_uk") not in nl_flag
    uk_crisis = response_text("utter_crisis", language, "UK")
    nl_crisis = response_text("utter_crisis", language, "NL")
    assert phone("samaritans") in uk_crisis and phone("emergency_uk") in uk_crisis
    for needed in (phone("zelfmoordpreventie_113"), ORGS["zelfmoordpreventie_113"]["phone_alt"],
                   "113.nl", phone("emergency_nl")):
        assert needed in nl_crisis
    prompt = "Zou het sepsis kunnen zijn?" if language == "nl" else "Could it be sepsis?"
    assert prompt in uk_flag and prompt in nl_flag


def test_default_escalation_answers_carry_both_countries_numbers() -> None:
    defaults = {name: next(v["text"] for v in DOMAIN.responses[name] if not v.get("condition"))
                for name in ("utter_red_flag", "utter_crisis")}
    assert all(phone(o) in defaults["utter_red_flag"] for o in ("emergency_uk", "nhs_111", "emergency_nl"))
    assert all(phone(o) in defaults["utter_crisis"] for o in ("samaritans", "zelfmoordpreventie_113"))


@pytest.mark.parametrize("text,found", [
    ("Call the helpline on 0808 800 0029 today.", {"0808 800 0029"}),
    ("bel 113 of 0800-0113", {"113", "0800-0113"}),
    ("In 2016 there were 60.000 patients, 3,8 billion.", set()),
])
def test_phone_pattern_finds_numbers_but_not_years_or_amounts(text: str, found: set) -> None:
    numbers = {n.strip() for n in PHONE.findall(text) if not YEAR.match(n.strip())}
    assert numbers == found


def test_the_widgets_offline_numbers_are_those_of_contacts() -> None:
    """The widget shows emergency numbers when the server cannot be reached;
    they must be the numbers of content/contacts.yml."""
    script = (ROOT / "widget" / "src" / "sepsis-chat.js").read_text(encoding="utf-8")
    errors = re.search(r"error: \{(.*?)\n      \}", script, re.S)
    assert errors, "the widget's error texts were not found"
    found = {n.strip() for n in PHONE.findall(" ".join(re.findall(r'"([^"]*)"', errors.group(1))))}
    known = {str(o.get(k)) for o in ORGS.values() for k in ("phone", "phone_alt") if o.get(k)}
    assert found and found <= known, found - known
