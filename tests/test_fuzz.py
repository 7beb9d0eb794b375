"""Fuzzing with hypothesis: the chat request checks (chat/request.py), the safety
patterns and the whole NLU pipeline never crash on any input, always give a
well-formed result, and a red-flag message still escalates whatever emoji
or blank space surrounds it. Derandomised, so CI runs the same cases every
time; set FUZZ_EXAMPLES for a longer run."""

from __future__ import annotations

import asyncio
import json

import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chat.request import CONTROL_CHARACTERS, MAX_MESSAGE_CHARS, MAX_SENDER_CHARS, ChatRequest, rejection
from components.safety_patterns import load_all
from components.safety_policy import Verdict
from tests.conftest import ROOT
from tests.safety_eval import ACCEPTED
from tests.strategies import CONTENT_TYPES, EXAMPLES, FUZZ, REQUESTS, fuzz

RULES = load_all(ROOT / "data" / "safety")


def check_outcome(raw: bytes, content_type="application/json") -> None:
    """A clean request or a ValidationError the mapper makes a 4xx rejection with a message of."""
    try:
        parsed = ChatRequest.from_body(raw, content_type).dict()
    except ValidationError as error:
        refused = rejection(error)
        assert refused.status in (400, 413, 415) and refused.message
        return
    assert isinstance(parsed["sender"], str) and parsed["sender"] and len(parsed["sender"]) <= MAX_SENDER_CHARS
    assert parsed["message"].strip() and len(parsed["message"]) <= MAX_MESSAGE_CHARS
    assert not CONTROL_CHARACTERS.search(parsed["message"])
    assert isinstance(parsed["metadata"], dict)
    json.dumps(parsed).encode("utf-8")  # storable: no lone surrogates


@FUZZ
@given(raw=st.binary(max_size=2000), content_type=CONTENT_TYPES)
def test_any_bytes_get_a_request_or_a_clear_rejection(raw: bytes, content_type) -> None:
    check_outcome(raw, content_type)


@FUZZ
@given(request=REQUESTS)
def test_any_json_object_gets_a_request_or_a_clear_rejection(request) -> None:
    check_outcome(json.dumps(request).encode("utf-8", "surrogatepass"))


@FUZZ
@given(text=st.text(max_size=600))
def test_safety_patterns_never_crash_and_are_deterministic(text: str) -> None:
    kinds = [Verdict.of([m for rules in RULES.values() for m in rules.analyse(text).matches]).kind for _ in range(2)]
    assert kinds[0] == kinds[1] and kinds[0] in (None, "red_flag", "crisis")


POSITIVES = [
    (case["text"], case["kind"])
    for language in ("nl", "en")
    for case in yaml.safe_load((ROOT / "eval" / "safety" / f"cases_{language}.yml").read_text(encoding="utf-8"))[
        "positives"
    ]
]
NOISE = st.text(alphabet="🙂😢🙏💔❤️ \t\n!…", max_size=8)


@FUZZ
@given(case=st.sampled_from(POSITIVES), before=NOISE, after=NOISE)
def test_red_flags_escalate_whatever_emoji_or_space_surround_them(case, before: str, after: str) -> None:
    text, kind = case
    matches = [m for rules in RULES.values() for m in rules.analyse(before + text + after).matches]
    assert Verdict.of(matches).kind in ACCEPTED[kind]  # a sign told in the past tense: the urgent check


@fuzz(EXAMPLES // 2)
@given(text=st.text(min_size=1, max_size=400))
def test_the_nlu_pipeline_parses_any_text(agent, text: str) -> None:
    parsed = asyncio.run(agent.parse_message(text))
    intent = parsed["intent"]
    assert intent["name"] in agent.domain.intents or intent["name"] == "nlu_fallback"
    assert 0.0 <= intent["confidence"] <= 1.0
    assert [
        n
        for n in (r["name"] for r in parsed.get("intent_ranking", []))
        if n not in agent.domain.intents and n != "nlu_fallback"
    ] == []
