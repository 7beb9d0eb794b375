"""The pattern notation of `data/safety/<lang>.yml` (the files' header
explains it), compiled into step sequences for components/safety_matcher.py.

- `word*` any word that starts with it; `a|b` either word; `(a b|c d)`
  either word group; `x?` x may be missing;
- `..` up to three other words in between, never a negation word, so
  "lips are not blue" does not match "lips .. blue", and never the end of
  a sentence ("the cat scratched me. My arms" is not "scratch* .. my arms");
- pattern words are normalised like the message ("can't" becomes can,
  not); longer words tolerate a typo (8-11 letters one edit, 12+ two).
"""

from __future__ import annotations

import itertools
import re
from typing import Callable, FrozenSet, Iterable, List, Set

from components.safety_matcher import Gap, Step, Word
from components.safety_normalise import SENTENCE_ENDS, Token

GAP = ".."
PIECE = re.compile(r"(?:\([^)]*\)|[^\s(])+")
GAP_WORDS = 3


def split_alternatives(piece: str) -> List[List[str]]:
    """'a|(b c|d)|e' -> [[a], [b, c], [d], [e]]: the word sequences a piece allows."""
    alternatives, depth, current = [], 0, ""
    for char in piece + "|":
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            if current.startswith("(") and current.endswith(")"):
                alternatives += [inner.split() for inner in current[1:-1].split("|") if inner.strip()]
            elif current:
                alternatives.append([current])
            current = ""
        else:
            current += char
    return alternatives


def word_step(words: List[str]) -> Word:
    """One token that is any of these words: `word*` a prefix, words of
    12+ letters within two typos, of 8-11 within one, shorter exactly."""

    def by_length(low: int, high: int) -> frozenset:
        return frozenset(w for w in words if not w.endswith("*") and low <= len(w) < high)

    return Word(
        exact=by_length(0, 8),
        typo1=by_length(8, 12),
        typo2=by_length(12, 10**6),
        prefixes=tuple(sorted({w[:-1] for w in words if w.endswith("*")})),
    )


def slot(alternatives: List[List[str]]) -> List[List[Step]]:
    """The step sequences one slot may match: its single words as one
    step, word sequences as they are."""
    singles = [a[0] for a in alternatives if len(a) == 1]
    sequences: List[List[Step]] = [[word_step([w]) for w in a] for a in alternatives if len(a) > 1]
    single: List[List[Step]] = [[word_step(singles)]] if singles else []
    return single + sequences


class Notation:
    """Compiles phrases with one language's normaliser; a gap never
    skips one of the one-word `negations` or the end of a sentence."""

    def __init__(self, normalise: Callable[[str], List[Token]], negations: Iterable[str] = ()) -> None:
        self.normalise = normalise
        self.gap_excludes: FrozenSet[str] = frozenset()
        self.gap_excludes = frozenset(self.single_words(negations)) | SENTENCE_ENDS

    def compile(self, phrase: str) -> List[List[Step]]:
        """The step sequences one phrase of the pattern notation stands for."""
        slots: List[List[List[Step]]] = []
        for piece in PIECE.findall(phrase):
            if piece == GAP:
                slots.append([[Gap(GAP_WORDS, self.gap_excludes)]])
                continue
            optional = piece.endswith("?") and len(piece) > 1
            alternatives = split_alternatives(piece[:-1] if optional else piece)
            found = slot([self.words(words) for words in alternatives])
            slots.append(found + [[]] if optional else found)
        return [[spec for sequence in combination for spec in sequence] for combination in itertools.product(*slots)]

    def single_words(self, phrases: Iterable[str]) -> Set[str]:
        """The one-word alternatives of phrases (used to keep negations out of gaps)."""
        words: Set[str] = set()
        for phrase in phrases:
            for piece in PIECE.findall(phrase):
                words |= {w[0] for w in map(self.words, split_alternatives(piece)) if len(w) == 1}
        return words

    def words(self, words: List[str]) -> List[str]:
        """Pattern words as normalised tokens ("can't" becomes can, not)."""
        tokens: List[str] = []
        for word in words:
            parts = [t.norm for t in self.normalise(word.rstrip("*"))]
            if word.endswith("*") and parts:
                parts[-1] += "*"
            tokens += parts
        return tokens
