"""The safety layer measured on messages written apart from it: the
independent sets (eval/safety/<round>_<lang>.yml: red flags, crisis, hard
negatives), one file per round of writing, and the ordinary held-out
messages (eval/nlu/), each run through the trained model. Used by
tests/test_safety_independent.py and, for a table, by
`python -m tests.safety_eval [MODEL]`.

Rounds (docs/safety-net.md): each was written by someone who had not seen
the patterns, descriptions or training data, and was first measured once,
untouched; a later round's patterns may have learnt from an earlier
round's misses, so the newest round is the honest figure."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Dict, List, Optional

from base.paths import PROJECT_ROOT
from components.safety_semantic import warm
from tests.content_data import read_yaml

ROOT = PROJECT_ROOT
LANGUAGES = ("nl", "en")
ESCALATIONS = ("red_flag", "crisis")
# What counts as caught: a red flag told in the past tense gets the urgent
# check, which also gives the numbers first.
ACCEPTED = {"red_flag": ("red_flag", "red_flag_check"), "crisis": ("crisis",)}
CHUNK = 128  # texts whose sentences are embedded together
SHARE_HERE = 0.55  # of the texts parsed in this process when a second one helps


ROUNDS = (
    "independent",
    "round2",
    "round3",
    "round4",
    "round5",
    "round6",
    "round7",
    "round8",
    "round9",
    "round10",
    "round11",
    "round12",
    "round13",
    "round14",
    "round15",
    "round16",
    "round17",
    "round18",
    "round19",
    "round20",
    "round21",
    "round22",
    "round23",
    "round24",
    "round25",
    "round26",
    "round27",
    "round28",
    "round29",
    "round30",
    "round31",
    "round32",
    "round33",
    "round34",
    "round35",
    "round36",
    "round37",
    "round38",
    "round39",
    "round40",
    "round41",
    "round42",
    "round43",
    "round44",
    "round45",
    "round46",
    "round47",
    "round48",
    "round49",
)
# Written for the next round of work and not measured yet: kept apart from
# everything by the near-duplicate tests, but not evaluated (and so not
# printed) until someone measures it once, untouched, and moves it to ROUNDS.
WRITTEN = ("round50",)
SECTIONS = ("red_flag", "crisis", "hard_negatives")


def independent(language: str, round_name: str = "independent") -> Dict[str, List[Dict[str, Any]]]:
    """One round's independent set of a language."""
    return read_yaml(ROOT / "eval" / "safety" / f"{round_name}_{language}.yml")


def ordinary(language: str) -> List[str]:
    """Held-out messages of every intent but red_flag and crisis."""
    data = read_yaml(ROOT / "eval" / "nlu" / f"heldout_{language}.yml")
    return [
        line.strip()[2:].strip()
        for block in data["nlu"]
        if block["intent"] not in ESCALATIONS
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def outcomes(agent, texts: List[str]) -> List[str]:
    """The intent the model gives each text after the safety layer. The
    sentences of each CHUNK of texts are embedded ahead in batches
    (components.safety_semantic.warm), which is faster than one by one."""

    async def parse_all():
        found = []
        for start in range(0, len(texts), CHUNK):
            chunk = texts[start : start + CHUNK]
            warm(chunk)
            found += [(await agent.parse_message(text))["intent"]["name"] for text in chunk]
        return found

    return asyncio.run(parse_all())


def outcomes_elsewhere(model: str, texts: List[str]) -> List[str]:
    """`outcomes` in a process of its own, with its own agent."""
    from rasa.core.agent import Agent

    import rasa_ext
    from staff.heldout import quiet_logs

    quiet_logs()
    rasa_ext.install()
    return outcomes(Agent.load(model), texts)


def outcomes_shared(agent, model: Optional[str], texts: List[str]) -> List[str]:
    """`outcomes`, with a second process taking a share of the texts when
    the machine has a second core and the model's file is known. The second
    process is spawned (TensorFlow does not survive a fork) and loads its
    own agent while this one parses, so it gets the smaller share."""
    if not model or (os.cpu_count() or 1) < 2 or len(texts) < 1000:
        return outcomes(agent, texts)
    split = int(len(texts) * SHARE_HERE)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        theirs = pool.submit(outcomes_elsewhere, model, texts[split:])
        return outcomes(agent, texts[:split]) + theirs.result()


def rates(found: List[str]) -> Dict[str, float]:
    """Share of each outcome among the answers."""
    counts, n = Counter(found), max(len(found), 1)
    return {kind: counts[kind] / n for kind in ("red_flag", "red_flag_check", "crisis")} | {"n": len(found)}


def evaluate(agent, model: Optional[str] = None) -> Dict[str, Dict[str, Dict[str, float]]]:
    """Per round and language ("independent nl", "round2 en", ...): the
    outcome rates of each section, and of the ordinary messages. With the
    model's file, two processes share the parsing (`outcomes_shared`)."""
    groups = {("ordinary", language): ordinary(language) for language in LANGUAGES}
    for round_name in ROUNDS:
        for language in LANGUAGES:
            sets = independent(language, round_name)
            groups |= {(round_name, language, section): [c["text"] for c in sets[section]] for section in SECTIONS}
    found = iter(outcomes_shared(agent, model, [text for texts in groups.values() for text in texts]))
    rated = {group: rates([next(found) for _ in texts]) for group, texts in groups.items()}
    return {
        f"{round_name} {language}": {section: rated[(round_name, language, section)] for section in SECTIONS}
        | {"ordinary": rated[("ordinary", language)]}
        for round_name in ROUNDS
        for language in LANGUAGES
    }


def table(results: Dict[str, Dict[str, Dict[str, float]]]) -> List[str]:
    """The figures as lines: recall, urgent-check rate and false alarms."""
    lines = [
        "set | red-flag recall (999 + check) | crisis recall (crisis answer) | urgent checks on hard "
        "negatives | false alarms (999/112) ordinary | false alarms hard negatives | crisis answer on "
        "ordinary / hard negatives"
    ]
    for name, r in results.items():
        red, crisis, hard, plain = r["red_flag"], r["crisis"], r["hard_negatives"], r["ordinary"]
        lines.append(
            f"{name} | {red['red_flag'] + red['red_flag_check']:.1%} ({red['red_flag']:.1%} + "
            f"{red['red_flag_check']:.1%}) of {red['n']} | {crisis['crisis']:.1%} of {crisis['n']} | "
            f"{hard['red_flag_check']:.1%} of {hard['n']} | {plain['red_flag']:.1%} of {plain['n']} | "
            f"{hard['red_flag']:.1%} | {plain['crisis']:.1%} / {hard['crisis']:.1%}"
        )
    return lines


if __name__ == "__main__":
    from rasa.core.agent import Agent

    from staff.heldout import quiet_logs

    quiet_logs()
    model = (
        sys.argv[1] if len(sys.argv) > 1 else max((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    )
    print("\n".join(table(evaluate(Agent.load(str(model)), str(model)))))
