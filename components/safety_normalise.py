"""The normalised copy of a message (and of pattern words) that the safety
patterns match: spaCy's tokens (the language class, no model), lower case,
accents and invisible characters removed, and spellings expanded by the
pattern file's `expand` table ("can't" -> can not, "m'n" -> mijn)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import List, Mapping

import spacy

SENTENCE_ENDS = frozenset(".!?;\n")  # tokens that end a sentence
EDGE_PUNCT = re.compile(r"^([.!?,;:]*)(.*?)([.!?,;:]*)$", re.DOTALL)
# Invisible characters that copy-paste and emoji leave inside or next to
# words: zero-width spaces and joiners, direction marks, variation selectors.
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufe00-\ufe0f\ufeff]")


def strip_accents(text: str) -> str:
    """'suïcide' -> 'suicide', 'oké' -> 'oke'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Token:
    """A normalised word with the character span it came from."""

    norm: str
    start: int
    end: int


class Normaliser:
    """One language's tokeniser and spelling table; call it with a text."""

    def __init__(self, language: str, expand: Mapping[str, str]) -> None:
        self.nlp = spacy.blank(language)
        self.expansions = {k.lower(): v.split() for k, v in expand.items()}

    def __call__(self, text: str) -> List[Token]:
        """spaCy tokens, normalised, with their character spans."""
        tokens = []
        for token in self.nlp(text):
            norm = strip_accents(INVISIBLE.sub("", token.lower_))
            if not norm:
                continue
            # an invisible character beside a full stop ("beroerd.\ufe0f",
            # "\ufe0f!how") keeps spaCy from splitting the stop off: split it here
            leading, core, trailing = EDGE_PUNCT.match(norm).groups()  # type: ignore[union-attr]
            pieces = [*leading, core, *trailing] if core else [norm]
            for piece in pieces:
                for part in self.expansions.get(piece, [piece]):
                    tokens.append(Token(part, token.idx, token.idx + len(token.text)))
        return tokens
