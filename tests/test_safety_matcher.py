"""The safety patterns' own sequence matcher finds exactly what spaCy's
`Matcher` finds with the equivalent token specs (the engine the patterns
were first written for): on each language's safety cases, held-out examples
and every second training example, and on generated word soups with typos."""

from __future__ import annotations

import itertools
import re
from typing import Dict, List, Set, Tuple

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from spacy.matcher import Matcher
from spacy.tokens import Doc

from authoring.project import Example, Project
from components.safety_matcher import Gap, SequenceMatcher, Word
from components.safety_patterns import load_all
from tests.conftest import ROOT
from tests.strategies import fuzz

RULES = load_all(ROOT / "data" / "safety")
PROJECT = Project(ROOT)


def spacy_alternatives(step) -> List[Dict]:
    """spaCy token specs that together accept what one step accepts."""
    if isinstance(step, Gap):
        spec: Dict = {"OP": f"{{0,{step.most}}}"}
        if step.excluded:
            spec["LOWER"] = {"NOT_IN": sorted(step.excluded)}
        return [spec]
    specs = []
    if step.exact:
        specs.append({"LOWER": {"IN": sorted(step.exact)}})
    for name, words in (("FUZZY1", step.typo1), ("FUZZY2", step.typo2)):
        if words:
            specs.append({"LOWER": {name: {"IN": sorted(words)}}})
    if step.prefixes:
        specs.append({"LOWER": {"REGEX": "^(?:" + "|".join(map(re.escape, step.prefixes)) + ")"}})
    return specs


def reference(ours: SequenceMatcher, vocab) -> Matcher:
    """A spaCy Matcher with the same patterns as `ours`."""
    matcher = Matcher(vocab)
    for key, steps in ours.patterns():
        matcher.add(key, [list(c) for c in itertools.product(*map(spacy_alternatives, steps))])
    return matcher


REFERENCES = {
    lang: {"signs": reference(r.matcher, r.nlp.vocab), "context": reference(r.context, r.nlp.vocab)}
    for lang, r in RULES.items()
}


def compare(language: str, text: str) -> None:
    rules = RULES[language]
    words = [t.norm for t in rules.normalise(text)]
    if not words:
        return
    doc = Doc(rules.nlp.vocab, words=words)
    for name, ours in (("signs", rules.matcher), ("context", rules.context)):
        theirs: Set[Tuple[str, int, int]] = {
            (rules.nlp.vocab.strings[m], s, e) for m, s, e in REFERENCES[language][name](doc)
        }
        assert set(ours(words)) == theirs, f"{language} {name} differ on {text!r}"


def corpus(language: str) -> List[str]:
    """A language's texts: every safety case and held-out example, and every
    second training example (the word soups below cover the rest)."""

    def texts(examples: List[Example]) -> List[str]:
        return [re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", e.text) for e in examples if e.language == language]

    cases = yaml.safe_load((ROOT / "eval" / "safety" / f"cases_{language}.yml").read_text(encoding="utf-8"))
    return (
        texts(PROJECT.examples)[::2]
        + texts(PROJECT.heldout)
        + [case["text"] for part in ("positives", "negatives") for case in cases[part]]
    )


@pytest.mark.slow  # minutes: spaCy's Matcher is the slow side
@pytest.mark.parametrize("language", ["nl", "en"])
def test_same_matches_as_spacy_on_the_examples(language: str) -> None:
    texts = corpus(language)
    assert len(texts) > 2000, "the corpus should hold the language's examples"
    assert len(RULES[language].matcher) > 500 and len(RULES[language].context) > 200
    for text in texts:
        compare(language, text)


def pattern_words(language: str) -> List[str]:
    words: Set[str] = set()
    for matcher in (RULES[language].matcher, RULES[language].context):
        for _, steps in matcher.patterns():
            for step in steps:
                if isinstance(step, Word):
                    words |= step.exact | step.typo1 | step.typo2 | {p + "ing" for p in step.prefixes}
                else:
                    words |= set(list(step.excluded)[:3])
    return sorted(words)


def typo(word: str, position: int, kind: int) -> str:
    """The word with one typo (dropped, doubled or swapped letter)."""
    if len(word) < 2:
        return word
    i = position % (len(word) - 1)
    return [word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:], word[:i] + word[i + 1] + word[i] + word[i + 2 :]][
        kind % 3
    ]


@pytest.mark.slow
@pytest.mark.parametrize("language", ["nl", "en"])
@fuzz()
@given(data=st.data())
def test_same_matches_as_spacy_on_word_soup(language: str, data) -> None:
    vocabulary = pattern_words(language) + [".", ",", "not", "niet", "and", "en"]
    words = data.draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=14))
    words = [
        typo(w, data.draw(st.integers(0, 20)), data.draw(st.integers(0, 5))) if data.draw(st.booleans()) else w
        for w in words
    ]
    compare(language, " ".join(words))


def test_matcher_basics() -> None:
    matcher = SequenceMatcher()
    matcher.add(
        "sign",
        [
            [
                Word(exact=frozenset({"lips"})),
                Gap(3, frozenset({"not"})),
                Word(typo1=frozenset({"bluish"}), prefixes=("blue",)),
            ]
        ],
    )
    assert matcher("my lips are blue".split()) == [("sign", 1, 4)]
    assert matcher("lips very very blueish".split()) == [("sign", 0, 4)]
    assert matcher("lips are not blue".split()) == []
    assert matcher("lips a b c d blue".split()) == []
    assert matcher("lips bluush".split()) == [("sign", 0, 2)]
    assert matcher([]) == []
