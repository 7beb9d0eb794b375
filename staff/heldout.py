"""Held-out NLU evaluation: per-language intent accuracy of a trained model
on eval/nlu/heldout_<lang>.yml (never used for training)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Dict, List, Tuple

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

import rasa_ext
from base.paths import PROJECT_ROOT

HELDOUT_DIR = PROJECT_ROOT / "eval" / "nlu"
LANGUAGES = ("nl", "en")


def heldout_examples(language: str) -> List[Tuple[str, str]]:
    """(text, expected intent) pairs of one language's held-out file."""
    data = load_data(str(HELDOUT_DIR / f"heldout_{language}.yml"))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def predict(agent: Agent, texts: List[str]) -> List[str]:
    """The intent the model gives each text (after fallback and safety layers)."""

    async def run() -> List[str]:
        return [(await agent.parse_message(t))["intent"]["name"] for t in texts]

    return asyncio.run(run())


def evaluate(agent: Agent) -> Dict[str, Dict]:
    """Accuracy and the errors per language."""
    report = {}
    for language in LANGUAGES:
        examples = heldout_examples(language)
        predicted = predict(agent, [text for text, _ in examples])
        errors = [(t, e, p) for (t, e), p in zip(examples, predicted) if e != p]
        report[language] = {
            "n": len(examples),
            "accuracy": 1 - len(errors) / len(examples),
            "errors": errors,
            "confusions": Counter((e, p) for _, e, p in errors),
        }
    return report


def quiet_logs() -> None:
    """Silence Rasa's per-message debug logging during bulk parsing."""
    import logging

    import structlog

    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


if __name__ == "__main__":
    import sys

    quiet_logs()
    rasa_ext.install()  # as the Rasa server runs
    agent = Agent.load(sys.argv[1])
    for language, result in evaluate(agent).items():
        print(f"{language}: {result['accuracy']:.1%} of {result['n']}")
        for (e, p), n in result["confusions"].most_common(15):
            print(f"   {n} x {e} -> {p}")
