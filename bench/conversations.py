"""Conversation scripts for the load generator, built from held-out NLU
examples and the safety test cases (never training examples).

Each conversation is in one language and has a few turns: mostly topic
questions and replies, with some red-flag and crisis messages and some
information questions about warning signs (the safety cases' negatives).
"""

from __future__ import annotations

import random
from typing import Dict, List

import yaml

from bench.paths import ROOT

LANGUAGES = ("nl", "en")
SEED = 2024
# Share of turns of each kind; the rest are held-out topic messages.
RED_FLAG_SHARE, CRISIS_SHARE, NEGATIVE_SHARE = 0.08, 0.04, 0.08


def _heldout_texts(language: str) -> List[str]:
    data = yaml.safe_load((ROOT / "eval" / "nlu" / f"heldout_{language}.yml").read_text())
    texts = []
    for block in data["nlu"]:
        texts += [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
    return texts


def _safety_texts(language: str) -> Dict[str, List[str]]:
    data = yaml.safe_load((ROOT / "eval" / "safety" / f"cases_{language}.yml").read_text())
    texts: Dict[str, List[str]] = {"red_flag": [], "crisis": [], "negative": []}
    for case in data["positives"]:
        texts[case["kind"]].append(case["text"])
    texts["negative"] = [case["text"] for case in data["negatives"]]
    return texts


def build(count: int, turns: int, seed: int = SEED) -> List[Dict]:
    """`count` conversations of `turns` messages each: {"language", "turns"}."""
    rng = random.Random(seed)
    pools = {lang: {"topic": _heldout_texts(lang), **_safety_texts(lang)} for lang in LANGUAGES}
    conversations = []
    for _ in range(count):
        language = rng.choice(LANGUAGES)
        messages = []
        for _ in range(turns):
            draw = rng.random()
            if draw < RED_FLAG_SHARE:
                kind = "red_flag"
            elif draw < RED_FLAG_SHARE + CRISIS_SHARE:
                kind = "crisis"
            elif draw < RED_FLAG_SHARE + CRISIS_SHARE + NEGATIVE_SHARE:
                kind = "negative"
            else:
                kind = "topic"
            messages.append({"kind": kind, "text": rng.choice(pools[language][kind])})
        conversations.append({"language": language, "turns": messages})
    return conversations


def mix(conversations: List[Dict]) -> Dict[str, int]:
    """How many turns of each kind and language (for the report)."""
    counts: Dict[str, int] = {}
    for conversation in conversations:
        for turn in conversation["turns"]:
            for key in (conversation["language"], turn["kind"]):
                counts[key] = counts.get(key, 0) + 1
    return counts
