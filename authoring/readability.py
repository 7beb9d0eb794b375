"""Readability scores of answer texts: Flesch reading ease for English and
Flesch-Douma for Dutch, on text stripped of markdown, with list items counted
as sentences.

Syllables: the larger of two counts per word, so neither undercounts much:
pyphen's hyphenation points (nl_NL, en_US dictionaries) and a vowel-group
count (a run of vowels is one syllable; in Dutch a diaeresis starts a new one,
as in "ideeën"; in English a silent final "e", the "-ed" of "tired", the
"-es" of "takes" and a leading "y" do not count). Hyphenation alone misses syllables ("a-rea", "adem").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List

import pyphen

DICTIONARIES = {"nl": "nl_NL", "en": "en_US"}
LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
MARKUP = re.compile(r"[*_`#>|~]+")
BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+", re.M)
SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n+")
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
VOWELS = {"nl": "aeiouyáéíóúàèìòùâêîôû", "en": "aeiouy"}
DIAERESIS = "äëïöü"


@dataclass(frozen=True)
class Score:
    """A text's readability: the score and what it was computed from."""

    score: float
    words: int
    sentences: int
    syllables: int


def plain_text(text: str) -> str:
    """Text without markdown: links keep their words, bullets and emphasis go,
    and each list item ends a sentence."""
    text = LINK.sub(r"\1", text)
    text = BULLET.sub("", text)
    return MARKUP.sub("", text)


def sentences(text: str) -> List[str]:
    """The sentences of a plain text (lines and list items end one)."""
    return [s for s in SENTENCE_END.split(plain_text(text)) if WORD.search(s)]


@lru_cache(maxsize=2)
def _dictionary(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=DICTIONARIES[language])


def vowel_groups(word: str, language: str) -> int:
    """Syllables as runs of vowels, with the language's main exceptions."""
    word = word.lower()
    if language == "en" and word.startswith("y"):
        word = word[1:]  # a consonant: "you", "year"
    count, previous = 0, False
    for char in word:
        if char in DIAERESIS:
            count, previous = count + 1, True
        elif char in VOWELS[language]:
            count += 0 if previous else 1
            previous = True
        else:
            previous = False
    if language == "en" and count > 1:
        if word.endswith("e") and not word.endswith(("le", "ee", "ye")):
            count -= 1
        elif re.search(r"[^aeioudt]ed$|[^aeiouscxzgh]es$", word):
            count -= 1
    return max(count, 1)


@lru_cache(maxsize=None)
def syllables(word: str, language: str) -> int:
    """Syllables of one word."""
    hyphenated = _dictionary(language).inserted(word.lower()).count("-") + 1
    return max(hyphenated, vowel_groups(word, language))


def score(text: str, language: str) -> Score:
    """Flesch reading ease (en) or Flesch-Douma (nl) of a text."""
    parts = sentences(text)
    words = [w for s in parts for w in WORD.findall(s)]
    if not words:
        return Score(0.0, 0, 0, 0)
    count = sum(syllables(w, language) for w in words)
    per_sentence = len(words) / len(parts)
    if language == "nl":
        value = 206.84 - 0.77 * (100 * count / len(words)) - 0.93 * per_sentence
    else:
        value = 206.835 - 1.015 * per_sentence - 84.6 * (count / len(words))
    return Score(round(value, 1), len(words), len(parts), count)
