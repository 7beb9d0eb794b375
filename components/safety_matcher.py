"""The token-sequence matcher behind the safety patterns.

A pattern is a sequence of steps: a `Word` (one token that is one of some
words exactly, within one or two typos of another, or starts with a
prefix) or a `Gap` (0..n tokens that are not negation words). It finds the
same (key, start, end) spans as spaCy's `Matcher` with the equivalent
token specs (a test compares the two on the examples in `data/` and `eval/`), but in
a fraction of the time: which steps a word satisfies is worked out once
per distinct word and remembered, and the patterns share a tree of their
common beginnings, so "i want to ..." is followed once for every pattern
that starts that way, and a branch is left as soon as no position gets
past it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class _Node:
    """A point in the tree of pattern beginnings: what follows, and the
    keys of the patterns that end here."""

    words: Dict[int, "_Node"] = field(default_factory=dict)
    gaps: Dict[Gap, "_Node"] = field(default_factory=dict)
    keys: List[str] = field(default_factory=list)


class SequenceMatcher:
    """Patterns under keys; calling it with words gives every (key, start, end)."""

    def __init__(self) -> None:
        self._words: List[Word] = []
        self._word_ids: Dict[Word, int] = {}
        self._patterns: List[Tuple[str, Tuple[Union[int, Gap], ...]]] = []
        self._root = _Node()
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
            self._patterns.append((key, steps))
            node = self._root
            for step in steps:
                if isinstance(step, Gap):
                    node = node.gaps.setdefault(step, _Node())
                else:
                    node = node.words.setdefault(step, _Node())
            if key not in node.keys:
                node.keys.append(key)

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
            self._follow(self._root, {start}, start, steps, lowered, found)
        return sorted(found, key=lambda m: (m[1], m[2], m[0]))

    def _follow(self, node: _Node, positions: Set[int], start: int, steps, lowered, found: Set[Match]) -> None:
        """Record the patterns ending at `node` for every position reached,
        then go on into each branch that some position gets past."""
        for key in node.keys:
            found.update((key, start, end) for end in positions if end > start)
        n = len(lowered)
        if node.words:
            reached: Dict[int, Set[int]] = {}
            for position in positions:
                if position < n:
                    for step in steps[position]:
                        if step in node.words:
                            reached.setdefault(step, set()).add(position + 1)
            for step, after in reached.items():
                self._follow(node.words[step], after, start, steps, lowered, found)
        for gap, child in node.gaps.items():
            after = set(positions)
            for position in positions:
                for at in range(position, min(position + gap.most, n)):
                    if lowered[at] in gap.excluded:
                        break
                    after.add(at + 1)
            self._follow(child, after, start, steps, lowered, found)
