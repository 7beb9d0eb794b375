"""The content review's rules (content/wording.yml, run by authoring/check.py):
answers that speak of not wanting to live carry the crisis numbers of the
user's country; answers that say "not an emergency service" name the
emergency number; every answer names only routes of its own country; no
banned wording; the facts the review asked for are there. Each rule is also
run on a broken example made in memory, to show that it can fail.

Numbers and links come from content/contacts.yml, phrases and routes from
content/wording.yml: nothing here is hard-coded that an author may change."""

from __future__ import annotations

from typing import Dict, List, Optional

import pytest

from authoring import links
from authoring.check import (
    banned_wording,
    crisis_wording,
    emergency_wording,
    own_variants,
    required_wording,
    route_wording,
    says,
    wording,
)
from authoring.project import Place, Project, Response, Variant
from tests.conftest import ROOT

PROJECT = Project(ROOT)
RULES = wording(PROJECT)
ORGS = PROJECT.organisations
RESPONSES = list(PROJECT.responses.values())
COUNTRIES = ("UK", "NL")


def texts(problems) -> List[str]:
    return [str(p) for p in problems]


def crisis_contacts(country: str) -> Dict[str, List[str]]:
    """What an answer about not wanting to live must carry in a country,
    read from content/contacts.yml: the crisis line's numbers and chat site,
    and the emergency number."""
    numbers, sites = [], []
    for org_id in links.urgent(ORGS, "crisis", country) + links.urgent(ORGS, "emergency", country):
        org = ORGS[org_id]
        numbers += [str(org[k]) for k in ("phone", "phone_alt") if org.get(k)]
        if org.get("chat_url"):
            sites.append(links.normal_url(str(org["chat_url"])).split("/")[0])
    return {"numbers": numbers, "sites": sites}


def variant(text: str, language: Optional[str] = None, country: Optional[str] = None) -> Variant:
    return Variant("utter_example", text, language, country, Place("domain/topics/example.yml", 1))


def response(name: str, *variants: Variant) -> Response:
    return Response(name, Place("domain/topics/example.yml", 1), list(variants))


# ------------------------------------------------------------- the contacts
def test_the_crisis_and_emergency_contacts_are_in_contacts_yml() -> None:
    for country in COUNTRIES:
        assert links.urgent(ORGS, "crisis", country), f"no crisis line for {country} in content/contacts.yml"
        assert links.urgent(ORGS, "emergency", country), f"no emergency number for {country}"
    assert crisis_contacts("NL")["sites"], "the 113 chat link is missing from content/contacts.yml"


# ---------------------------------------------- a) crisis numbers, by country
def crisis_variants() -> List[tuple]:
    found = []
    for resp in RESPONSES:
        for v in own_variants(resp):
            languages = [v.language] if v.language else list(RULES["crisis_phrases"])
            if any(says(v.text, RULES["crisis_phrases"][lang]) for lang in languages):
                found.append((resp.name, v))
    return found


def test_the_mental_health_answers_speak_of_not_wanting_to_live() -> None:
    """The review's finding: the rule must see these answers, or it checks nothing."""
    pairs = {(v.language, v.country) for name, v in crisis_variants() if name == "utter_mental_health"}
    assert pairs == {(lang, country) for lang in ("nl", "en") for country in COUNTRIES}


@pytest.mark.parametrize(
    "name,var", crisis_variants(), ids=lambda x: x if isinstance(x, str) else f"{x.language}-{x.country}"
)
def test_an_answer_about_not_wanting_to_live_carries_its_countrys_crisis_numbers(name: str, var: Variant) -> None:
    assert var.country in COUNTRIES or (var.language is None and var.country is None), (
        f"{name} ({var.language}) speaks of not wanting to live but is not conditioned on country"
    )
    for country in [var.country] if var.country else COUNTRIES:
        needed = crisis_contacts(country)
        said = links.phone_numbers(var.text)
        linked = {links.normal_url(link).split("/")[0] for link in links.links(var.text)}
        assert set(needed["numbers"]) <= said, f"{name} ({var.language}-{country}) lacks {needed['numbers']}"
        assert set(needed["sites"]) <= linked, f"{name} ({var.language}-{country}) lacks {needed['sites']}"
    assert texts(crisis_wording([response(name, var)], RULES, ORGS)) == []


def test_the_crisis_rule_passes_the_whole_domain() -> None:
    assert texts(crisis_wording(RESPONSES, RULES, ORGS)) == []


def test_the_crisis_rule_catches_broken_answers() -> None:
    uk, nl = crisis_contacts("UK"), crisis_contacts("NL")
    good_uk = f"Thoughts of not wanting to live? Call {uk['numbers'][0]}. In danger, call {uk['numbers'][-1]}."
    assert texts(crisis_wording([response("utter_ok", variant(good_uk, "en", "UK"))], RULES, ORGS)) == []
    broken = {
        "not conditioned on country": variant("Do you have thoughts of not wanting to live? Seek help now.", "en"),
        f"does not name {uk['numbers'][0]}": variant("Thoughts of not wanting to live? Seek help now.", "en", "UK"),
        f"does not name {nl['numbers'][1]}": variant(
            f"Heb je gedachten dat je niet meer wilt leven? Bel {nl['numbers'][0]}. In gevaar: bel "
            f"{nl['numbers'][-1]}.",
            "nl",
            "NL",
        ),
        f"{nl['sites'][0]} for NL": variant(good_uk.replace("live?", "live (suicide)?"), "en", "NL"),
    }
    for expected, var in broken.items():
        found = texts(crisis_wording([response("utter_broken", var)], RULES, ORGS))
        assert any(expected in f for f in found), f"{expected!r} not in {found}"


# ------------------------------------------- "not an emergency service" + number
def test_answers_that_are_not_for_emergencies_name_the_emergency_number() -> None:
    assert texts(emergency_wording(RESPONSES, RULES, ORGS)) == []
    helpline = PROJECT.responses["utter_helpline"]
    for var in (v for v in helpline.variants if v.country):
        emergency = links.urgent_numbers(ORGS, "emergency", var.country)
        assert emergency and emergency <= links.phone_numbers(var.text), f"utter_helpline {var.language}-{var.country}"


def test_the_emergency_rule_catches_a_broken_answer() -> None:
    uk = links.urgent_numbers(ORGS, "emergency", "UK")
    found = texts(
        emergency_wording(
            [
                response(
                    "utter_broken",
                    variant(
                        "This is not an emergency service. If it is urgent, contact the emergency services.", "en", "UK"
                    ),
                )
            ],
            RULES,
            ORGS,
        )
    )
    assert any("does not name" in f and all(n in f for n in uk) for f in found), found
    found = texts(
        emergency_wording([response("utter_broken", variant("Geen hulpdienst voor noodgevallen.", "nl"))], RULES, ORGS)
    )
    assert any("not conditioned on country" in f for f in found), found


# ------------------------------------------ b) routes of the user's country
def test_every_answer_names_only_routes_of_its_country() -> None:
    assert texts(route_wording(RESPONSES, RULES)) == []


def test_the_answers_the_review_found_have_a_variant_per_country() -> None:
    for name in (
        "utter_bereavement",
        "utter_information_resources",
        "utter_exercise",
        "utter_mental_health",
        "utter_post_sepsis_syndrome",
        "utter_helpline",
    ):
        pairs = {(v.language, v.country) for v in PROJECT.responses[name].variants if v.language}
        assert pairs == {(lang, country) for lang in ("nl", "en") for country in COUNTRIES}, name


@pytest.mark.parametrize(
    "var,expected",
    [
        (
            variant("The UK Sepsis Trust support nurses are there for you.", "en"),
            "UK Sepsis Trust of UK but is not conditioned on country",
        ),
        (variant("Bel de huisartsenpost.", "nl"), "huisartsenpost of NL but is not conditioned"),
        (variant("The NHS has simple exercises. Ask Citizens Advice.", "en", "NL"), "names NHS, Citizens Advice of UK"),
        (variant("Ask Sepsis en daarna for the book.", "en", "UK"), "names Sepsis en daarna of NL"),
        (variant("Bel 112 of de huisartsenpost.", "nl", "UK"), "names huisartsenpost, 112 of NL"),
        (variant("Call 999 or go to A&E.", None, None), "names A&E, 999 of UK but is not conditioned"),
    ],
)
def test_the_route_rule_catches_a_route_of_the_wrong_country(var: Variant, expected: str) -> None:
    found = texts(route_wording([response("utter_broken", var)], RULES))
    assert any(expected in f for f in found), f"{expected!r} not in {found}"


def test_the_route_rule_lets_through_what_is_allowed() -> None:
    allowed = [
        variant("Liever in het Nederlands? Sepsis en daarna beantwoordt ook vragen.", "nl", "UK"),
        variant("Bel 999 of 111. / Bel 112 of de huisartsenpost.", None, None),  # a default for both countries
        variant("Reach out to your GP early; we can reach an agreement.", "en"),  # "reach" is not REACH
    ]
    for var in allowed:
        assert texts(route_wording([response("utter_fine", var)], RULES)) == [], var.text
    anchored = response(
        "utter_fine",
        variant("Call 999.", "en", "UK"),
        variant("Bel 112.", "nl", "NL"),
        variant("Call 999.", None, None),
    )
    assert texts(route_wording([anchored], RULES)) == []  # the default repeats the en-UK text (YAML anchor)


# ------------------------------------------------------------ banned wording
def test_no_answer_uses_banned_wording() -> None:
    assert texts(banned_wording(RESPONSES, RULES)) == []


@pytest.mark.parametrize(
    "name,var,expected",
    [
        ("utter_fatigue", variant("Write down your complaints for your GP.", "en"), "says 'complaint'"),
        ("utter_fatigue_since_medium", variant("Then they can think along with you.", "en"), "says 'think along'"),
        ("utter_fatigue", variant("This is part of post-sepsis syndrome.", "en"), "part of post-sepsis syndrome"),
        ("utter_fatigue", variant("It often does not go away completely.", "en"), "does not go away completely"),
        ("utter_fatigue", variant("Dat hoort bij het postsepsissyndroom.", "nl"), "hoort bij het postsepsissyndroom"),
        ("utter_fatigue", variant("Het gaat vaak niet helemaal over.", "nl"), "gaat vaak niet helemaal over"),
    ],
)
def test_the_wording_rule_catches_a_banned_phrase(name: str, var: Variant, expected: str) -> None:
    found = texts(banned_wording([response(name, var)], RULES))
    assert any(expected in f and "(content/wording.yml)" in f for f in found), f"{expected!r} not in {found}"


def test_the_complaints_topic_may_speak_of_complaints() -> None:
    for name in ("utter_complaints", "utter_complaint_formal", "utter_ask_complaint_route"):
        assert texts(banned_wording([response(name, variant("You can make a formal complaint.", "en"))], RULES)) == []


# ---------------------------------------------------- what answers must say
def test_answers_say_what_the_review_asked_for() -> None:
    assert texts(required_wording(RESPONSES, RULES)) == []


def test_every_required_fact_is_checked_on_an_answer_that_exists() -> None:
    for entry in RULES["required"]:
        for pattern in entry["responses"]:
            assert any(
                r.name == pattern or (pattern.endswith("*") and r.name.startswith(pattern[:-1])) for r in RESPONSES
            ), f"content/wording.yml: no response {pattern}"


@pytest.mark.parametrize(
    "name,var,expected",
    [
        ("utter_fatigue", variant("Rest a lot. Build up in small steps.", "en"), "crashing after effort"),
        ("utter_fatigue_since_short", variant("Bouw langzaam op, stap voor stap.", "nl"), "crashing after effort"),
        ("utter_hair_loss", variant("Hair loss after sepsis is usually temporary.", "en"), "30 to 150 hairs"),
        (
            "utter_post_sepsis_syndrome",
            variant("PSS is a name for lasting problems. Tell your GP.", "en", "UK"),
            "1 in 3",
        ),
        ("utter_sepsis_treatment", variant("Doctors give fluid and antibiotics.", "en"), "delirium"),
        ("utter_sepsis_symptoms", variant("- koorts\n- verward zijn", "nl", "NL"), "dizziness"),
        ("utter_return_to_work", variant("Going back to work is a big step.", "en", "NL"), "confidence"),
    ],
)
def test_the_required_rule_catches_a_missing_fact(name: str, var: Variant, expected: str) -> None:
    found = texts(required_wording([response(name, var)], RULES))
    assert any(expected in f for f in found), f"{expected!r} not in {found}"


def test_advice_without_building_up_needs_no_word_on_crashing() -> None:
    var = variant("Step 1: plan ahead. Keep the list short.", "en")
    assert texts(required_wording([response("utter_fatigue_step_1", var)], RULES)) == []


# --------------------------------------------------- numbers that are amounts
@pytest.mark.parametrize(
    "text,found",
    [
        ("It is normal to lose about 30 to 150 hairs a day.", set()),
        ("Het is normaal om 30 tot 150 haren per dag te verliezen.", set()),
        ("Call 113, or free on 0800-0113, or chat at 113.nl.", {"113", "0800-0113"}),
        ("Call Samaritans free on 116 123, day and night.", {"116 123"}),
    ],
)
def test_the_upper_end_of_a_range_is_not_a_phone_number(text: str, found: set) -> None:
    assert links.phone_numbers(text) == found
