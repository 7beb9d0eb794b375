"""The token-sequence matcher behind the safety patterns.

A pattern is a sequence of steps: a `Word` (one token that is one of some
words exactly, within one or two typos of another, or starts with a
prefix) or a `Gap` (0..n tokens that are not negation words). It finds the
same (key, start, end) spans as spaCy's `Matcher` with the equivalent
token specs (a test compares the two on the examples in `data/` and `eval/`), but in
a fraction of the time: which steps a word satisfies is worked out once
per distinct word and remembered, and only the patterns whose first step
the word satisfies are followed from each position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterator, List, Sequence, Set, Tuple, Union

from spacy.matcher.levenshtein import levenshtein_compare

CACHE_LIMIT = 50_000  # distinct words remembered before the memory is cleared


@dataclass(frozen=True)
class Word:
    """One token: an exact word, a word within `typos` edits, or a prefix."""

    exact: FrozenSet[str] = frozenset()
    typo1: FrozenSet[str] = frozenset()
    typo2: FrozenSet[str] = frozenset()
    prefixes: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Gap:
    """Between 0 and `most` tokens, none of them in `excluded`."""

    most: int
    excluded: FrozenSet[str] = frozenset()


Step = Union[Word, Gap]
Match = Tuple[str, int, int]


class SequenceMatcher:
    """Patterns under keys; calling it with words gives every (key, start, end)."""

    def __init__(self) -> None:
        self._words: List[Word] = []
        self._word_ids: Dict[Word, int] = {}
        self._patterns: List[Tuple[str, Tuple[Union[int, Gap], ...]]] = []
        self._by_first: Dict[int, List[int]] = {}
        self._gap_first: List[int] = []
        self._exact: Dict[str, Set[int]] = {}
        # words allowed one or two typos, by their length: a word is compared
        # only with those whose length is within its allowance
        self._typos: Dict[int, Dict[int, Dict[str, Set[int]]]] = {1: {}, 2: {}}
        self._prefixes: Dict[str, List[Tuple[str, int]]] = {}  # by first letter
        self._cache: Dict[str, FrozenSet[int]] = {}

    def __len__(self) -> int:
        return len(self._patterns)

    def patterns(self) -> Iterator[Tuple[str, Tuple[Step, ...]]]:
        """Every (key, steps) added, in order."""
        for key, steps in self._patterns:
            yield key, tuple(self._words[s] if isinstance(s, int) else s for s in steps)

    def add(self, key: str, patterns: Sequence[Sequence[Step]]) -> None:
        """Add patterns under `key` (empty patterns are ignored)."""
        for pattern in patterns:
            steps = tuple(self._word_id(s) if isinstance(s, Word) else s for s in pattern)
            if not steps:
                continue
            index = len(self._patterns)
            self._patterns.append((key, steps))
            if isinstance(steps[0], Gap):
                self._gap_first.append(index)
            else:
                self._by_first.setdefault(steps[0], []).append(index)

    def _word_id(self, word: Word) -> int:
        if word not in self._word_ids:
            index = self._word_ids[word] = len(self._words)
            self._words.append(word)
            for text in word.exact:
                self._exact.setdefault(text, set()).add(index)
            for typos, texts in ((1, word.typo1), (2, word.typo2)):
                for text in texts:
                    self._typos[typos].setdefault(len(text), {}).setdefault(text, set()).add(index)
            for prefix in word.prefixes:
                self._prefixes.setdefault(prefix[:1], []).append((prefix, index))
            self._cache.clear()
        return self._word_ids[word]

    def steps_of(self, word: str) -> FrozenSet[int]:
        """The ids of every Word step that `word` satisfies (remembered)."""
        found = self._cache.get(word)
        if found is None:
            ids = set(self._exact.get(word, ()))
            for typos, by_length in self._typos.items():
                for length in range(len(word) - typos, len(word) + typos + 1):
                    for text, owners in by_length.get(length, {}).items():
                        if levenshtein_compare(word, text, typos):
                            ids |= owners
            ids.update(index for prefix, index in self._prefixes.get(word[:1], ()) if word.startswith(prefix))
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[word] = frozenset(ids)
        return found

    def __call__(self, words: Sequence[str]) -> List[Match]:
        """Every (key, start, end) where a pattern matches words[start:end]."""
        lowered = [w.lower() for w in words]
        steps = [self.steps_of(w) for w in lowered]
        found: Set[Match] = set()
        for start in range(len(lowered)):
            candidates = [i for step in steps[start] for i in self._by_first.get(step, ())]
            for index in candidates + self._gap_first:
                key, pattern = self._patterns[index]
                for end in self._ends(pattern, 0, start, steps, lowered):
                    if end > start:
                        found.add((key, start, end))
        return sorted(found, key=lambda m: (m[1], m[2], m[0]))

    def _ends(self, pattern, k: int, position: int, steps, lowered) -> Iterator[int]:
        """Where pattern[k:] can end when it starts at `position`."""
        if k == len(pattern):
            yield position
            return
        step = pattern[k]
        if isinstance(step, Gap):
            yield from self._ends(pattern, k + 1, position, steps, lowered)
            for taken in range(1, step.most + 1):
                at = position + taken - 1
                if at >= len(lowered) or lowered[at] in step.excluded:
                    break
                yield from self._ends(pattern, k + 1, position + taken, steps, lowered)
        elif position < len(lowered) and step in steps[position]:
            yield from self._ends(pattern, k + 1, position + 1, steps, lowered)
