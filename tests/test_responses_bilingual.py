"""Every answer exists in Dutch and English and has a default, so Rasa never
silently sends nothing; country-specific answers cover every combination."""

from __future__ import annotations

import itertools
import string
from typing import Dict, List, Optional, Tuple

import pytest
import yaml
from rasa.shared.core.domain import Domain

from base.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
DOMAIN = Domain.load(str(ROOT / "domain"))
MESSAGES = yaml.safe_load((ROOT / "content" / "messages.yml").read_text(encoding="utf-8"))
COMBINATIONS = set(itertools.product(("nl", "en"), ("NL", "UK")))


def condition_key(variant: Dict) -> Optional[Tuple[Optional[str], Optional[str]]]:
    """(language, country) a variant is conditioned on; None for the default."""
    condition = variant.get("condition")
    if not condition:
        return None
    slots = {c["name"]: c["value"] for c in condition}
    return slots.get("language"), slots.get("country")


def variant_problems(variants: List[Dict]) -> List[str]:
    """What is wrong with a response's variants (empty when all is well)."""
    keys = [condition_key(v) for v in variants]
    conditional = [k for k in keys if k is not None]
    problems = []
    if None not in keys:
        problems.append("no unconditioned default variant")
    missing = {"nl", "en"} - {language for language, _ in conditional}
    if missing:
        problems.append(f"no variant for {sorted(missing)}")
    if len(conditional) != len(set(conditional)):
        problems.append("two variants with the same condition")
    # Rasa picks at random among all matching variants, so country-specific
    # answers must cover each combination exactly, with no language-only one.
    if any(country for _, country in conditional) and set(conditional) != COMBINATIONS:
        problems.append(f"country variants do not cover exactly {sorted(COMBINATIONS)}")
    if any(not (v.get("text") or "").strip() for v in variants):
        problems.append("a variant without text")
    by_language = {k[0]: v.get("text") for k, v in zip(keys, variants) if k}
    if by_language.get("nl") and by_language.get("nl") == by_language.get("en"):
        problems.append("the Dutch text is the English text")
    return problems


@pytest.mark.parametrize("name", sorted(DOMAIN.responses))
def test_response_has_dutch_english_and_default(name: str) -> None:
    assert variant_problems(DOMAIN.responses[name]) == [], name


def _variant(text: str, language: Optional[str] = None, country: Optional[str] = None) -> Dict:
    condition = [
        {"type": "slot", "name": n, "value": v} for n, v in (("language", language), ("country", country)) if v
    ]
    return {"text": text, **({"condition": condition} if condition else {})}


@pytest.mark.parametrize(
    "variants,expected",
    [
        ([_variant("hi", "en"), _variant("hi")], "no variant for ['nl']"),
        ([_variant("hoi", "nl"), _variant("hi", "en")], "no unconditioned default variant"),
        (
            [
                _variant("a", "nl", "NL"),
                _variant("b", "nl"),
                _variant("c", "en", "UK"),
                _variant("d", "en", "NL"),
                _variant("c"),
            ],
            "country variants do not cover",
        ),
        ([_variant("same", "nl"), _variant("same", "en"), _variant("same")], "the Dutch text is the English text"),
    ],
)
def test_the_check_catches_broken_responses(variants: List[Dict], expected: str) -> None:
    assert any(p.startswith(expected) for p in variant_problems(variants))


def placeholders(text: str) -> set:
    """The {names} a message template fills in."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@pytest.mark.parametrize("section,key", [(s, k) for s in ("messages", "labels") for k in MESSAGES[s]])
def test_action_messages_are_bilingual_with_the_same_placeholders(section: str, key: str) -> None:
    entry = MESSAGES[section][key]
    assert set(entry) == {"en", "nl"}, f"{section}.{key} must have exactly en and nl"
    assert entry["en"].strip() and entry["nl"].strip()
    assert placeholders(entry["en"]) == placeholders(entry["nl"]), f"{section}.{key} placeholders differ"
