"""Deterministic red-flag and crisis recognition from reviewable pattern files.

The patterns live in `data/safety/<lang>.yml`, written for clinicians and
content authors (the file header explains the notation). This module turns
them into token-sequence patterns (components/safety_matcher.py) over a
normalised copy of the message and decides, per match, whether it counts.

Policy (safety first):
1. A message is tokenised with spaCy's language class (no model) and
   normalised: lower case, accents removed, contractions and spellings
   expanded by the file's `expand` table ("can't" -> can not, "m'n" ->
   mijn). Longer words tolerate a typo
   (8-11 letters one edit, 12+ two), `word*` covers inflections, `together`
   parts may come in any order within a sentence (Dutch word order,
   separable verbs).
   The `..` gaps never skip a negation word, so "lips are not blue" does
   not match "lips .. blue".
2. Every match of a red-flag sign COUNTS unless its own clause shows that
   it is clearly not happening now:
   - negated: a negation word shortly before the sign ("not", "geen"), or
     right after it where the language puts it there ("ik ril niet"), or a
     "resolved" word shortly after it ("any more", "gone", "voorbij");
   - past: its clause names a past time ("last year", "toen", "weken
     geleden") and no present one ("now", "suddenly", "nu", "ineens"), or
     the message tells a story about back then (a past time somewhere, no
     present one) and its sentence is in the past tense (past verbs, no
     present verb: "I was shaking so badly my teeth rattled"), or a later part
     of the sentence puts it in the past ("that was months ago") or says
     it is over ("she's fine now");
   - general: the sentence asks about signs in general ("what does ...
     mean", "hoe herken je") and mentions nobody personally (quoted words
     do not count);
   - not a sign: an idiom overlaps it ("I'm dying to ...");
   - hypothetical: its clause is about a possible future ("if it ever
     comes back", "als ik het ooit weer krijg");
   - lasting: a sign the file's `lasting` section lists (a racing heart,
     dizziness, breathlessness, ...) described as an after-effect that has
     lasted "since sepsis" / "for months" ("sinds de sepsis", "al maanden"),
     or for the `on_effort` signs one that comes every time with effort or
     standing up ("whenever I stand up", "elke keer als ik de trap op loop"),
     while nothing in the
     sentence says it is sudden or happening now ("suddenly", "tonight",
     "ineens", "vannacht"): information about post-sepsis syndrome.
   Anything else (including unclear cases) escalates.
3. Crisis matches count unless negated ("I'm not suicidal"); past and
   general questions do not exempt them, nor does "any more" ("I don't want
   to live any more"). A crisis match is about a relative when the nearest
   person named before it in its clause is someone else ("my son says he
   wants to die"), else about the writer.
4. Crisis wins over red flag when both count (its answer also says to call
   the emergency number when in immediate danger).
5. A red-flag match in a sentence told in the past tense (past verbs, no
   present verb or time) that no past time sets aside counts as "maybe":
   the urgent check asks whether it is happening now.
"""
from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import spacy
import yaml

from components.safety_matcher import Gap, SequenceMatcher, Step, Word

KINDS = ("crisis", "red_flag")
CHECK = "red_flag_check"   # a red flag, but not sure it is happening now: ask
GAP = ".."
PIECE = re.compile(r"(?:\([^)]*\)|[^\s(])+")
GAP_WORDS = 3
NEGATION_WINDOW = 4
RESOLVED_WINDOW = 4
CLAUSE_BREAK_PUNCT = set(".!?;:,()\n")
SENTENCE_BREAK_PUNCT = set(".!?;\n")
QUOTES = {"'", '"', "\u2018", "\u2019", "\u201c", "\u201d"}


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


# Invisible characters that copy-paste and emoji leave inside or next to
# words: zero-width spaces and joiners, direction marks, variation selectors.
TRAILING_PUNCT = re.compile(r"[.!?,;:]+$")
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


@dataclass
class Match:
    """One sign found in a message, and whether it counts."""

    kind: str
    sign: str
    label: str
    start: int
    end: int
    text: str
    reason: Optional[str] = None  # why it does not count: negated/past/general/lasting/...
    maybe: bool = False           # it counts, but its sentence may tell of back then: ask
    about: Optional[str] = None   # crisis only: "self" (the writer) or "relative" (someone close)

    @property
    def counts(self) -> bool:
        return self.reason is None

    def as_dict(self) -> Dict[str, Any]:
        found = {"kind": self.kind, "sign": self.sign, "label": self.label, "text": self.text,
                 "start": self.start, "end": self.end, "ignored_because": self.reason}
        if self.maybe:
            found["maybe"] = "told in the past tense"
        if self.about:
            found["about"] = self.about
        return found


@dataclass
class Parsed:
    """A message prepared for judging: its tokens, their spaCy doc, the
    context spans, and its sentences and clauses (computed once)."""

    text: str
    tokens: List[Token]
    words: List[str]
    context: Dict[str, List[Tuple[int, int]]]
    sentences: List[Tuple[int, int]]
    clauses: List[Tuple[int, int]]

    @staticmethod
    def segment_of(segments: List[Tuple[int, int]], position: int, size: int) -> Tuple[int, int]:
        return next(((s, e) for s, e in segments if s <= position < e), (0, size))

    def sentence_of(self, position: int) -> Tuple[int, int]:
        return self.segment_of(self.sentences, position, len(self.words))

    def clause_of(self, position: int) -> Tuple[int, int]:
        return self.segment_of(self.clauses, position, len(self.words))


@dataclass
class Verdict:
    """The detector's decision for a message."""

    kind: Optional[str]
    matches: List[Match] = field(default_factory=list)

    @classmethod
    def of(cls, matches: List[Match]) -> "Verdict":
        """The verdict for these matches: crisis before a red flag, a red
        flag before one only told in the past tense (the urgent check)."""
        for kind in KINDS:
            if any(m.counts and m.kind == kind and not m.maybe for m in matches):
                return cls(kind, matches)
        if any(m.counts and m.maybe for m in matches):
            return cls(CHECK, matches)
        return cls(None, matches)

    @property
    def counting(self) -> List[Match]:
        kind = "red_flag" if self.kind == CHECK else self.kind
        return [m for m in self.matches if m.counts and m.kind == kind]

    @property
    def ignored(self) -> List[Match]:
        return [m for m in self.matches if not m.counts]


class SafetyRules:
    """Compiled patterns of one language and the decision logic."""

    def __init__(self, spec: Dict[str, Any]) -> None:
        self.language = spec["language"]
        self.nlp = spacy.blank(self.language)
        self.expansions = {k.lower(): v.split() for k, v in (spec.get("expand") or {}).items()}
        self.matcher = SequenceMatcher()
        self.context = SequenceMatcher()
        self.gap_excludes = self._single_words((spec.get("context") or {}).get("negation", []))
        self.labels: Dict[str, Tuple[str, str, str]] = {}
        self.together: Dict[str, List[List[str]]] = {}
        lasting = spec.get("lasting") or {}
        self.lasting_since = frozenset(lasting.get("since") or [])
        self.lasting_on_effort = frozenset(lasting.get("on_effort") or [])
        for kind in KINDS:
            for sign, entry in (spec.get(kind) or {}).items():
                self._add_sign(kind, sign, entry)
        for name, phrases in (spec.get("context") or {}).items():
            self.context.add(name, [p for phrase in phrases for p in self.compile(phrase)])

    # ------------------------------------------------------------ compiling
    def _add_sign(self, kind: str, sign: str, entry: Dict[str, Any]) -> None:
        key = f"{kind}:{sign}"
        self.labels[key] = (kind, sign, entry.get("label", sign))
        patterns = [p for phrase in entry.get("phrases") or [] for p in self.compile(phrase)]
        if patterns:
            self.matcher.add(key, patterns)
        for index, parts in enumerate(entry.get("together") or []):
            part_keys = []
            for part_index, part in enumerate(parts):
                part_key = f"{key}#together{index}.{part_index}"
                self.matcher.add(part_key, self.compile(part))
                part_keys.append(part_key)
            self.together.setdefault(key, []).append(part_keys)

    def compile(self, phrase: str) -> List[List[Step]]:
        """The step sequences one phrase of the pattern notation stands for."""
        slots: List[List[List[Step]]] = []
        for piece in PIECE.findall(phrase):
            if piece == GAP:
                slots.append([[Gap(GAP_WORDS, frozenset(getattr(self, "gap_excludes", ())))]])
                continue
            optional = piece.endswith("?") and len(piece) > 1
            alternatives = split_alternatives(piece[:-1] if optional else piece)
            slot = self._slot([self._normalise_words(words) for words in alternatives])
            slots.append(slot + [[]] if optional else slot)
        return [
            [spec for sequence in combination for spec in sequence]
            for combination in itertools.product(*slots)
        ]

    def _single_words(self, phrases: List[str]) -> set:
        """The one-word alternatives of phrases (used to keep negations out of gaps)."""
        words = set()
        for phrase in phrases:
            for piece in PIECE.findall(phrase):
                words |= {w[0] for w in map(self._normalise_words, split_alternatives(piece)) if len(w) == 1}
        return words

    def _normalise_words(self, words: List[str]) -> List[str]:
        """Pattern words as normalised tokens ("can't" becomes can, not)."""
        tokens: List[str] = []
        for word in words:
            parts = [t.norm for t in self.normalise(word.rstrip("*"))]
            if word.endswith("*") and parts:
                parts[-1] += "*"
            tokens += parts
        return tokens

    @staticmethod
    def _slot(alternatives: List[List[str]]) -> List[List[Step]]:
        """The step sequences one slot may match: its single words as one
        step, word sequences as they are."""
        singles = [a[0] for a in alternatives if len(a) == 1]
        sequences = [[SafetyRules._word([w]) for w in a] for a in alternatives if len(a) > 1]
        return [[SafetyRules._word(singles)]] + sequences if singles else sequences

    @staticmethod
    def _word(words: List[str]) -> Word:
        """One token that is any of these words: `word*` a prefix, words of
        12+ letters within two typos, of 8-11 within one, shorter exactly."""
        def by_length(low: int, high: int) -> frozenset:
            return frozenset(w for w in words if not w.endswith("*") and low <= len(w) < high)

        return Word(exact=by_length(0, 8), typo1=by_length(8, 12), typo2=by_length(12, 10**6),
                    prefixes=tuple(sorted({w[:-1] for w in words if w.endswith("*")})))

    # ------------------------------------------------------------ matching
    def normalise(self, text: str) -> List[Token]:
        """spaCy tokens, normalised, with their character spans."""
        tokens = []
        for token in self.nlp(text):
            norm = strip_accents(INVISIBLE.sub("", token.lower_))
            if not norm:
                continue
            # an invisible character after a full stop ("beroerd.\ufe0f") keeps
            # spaCy from splitting the stop off: split it here
            trailing = TRAILING_PUNCT.search(norm)
            pieces = [norm[:trailing.start()], *trailing.group()] if trailing and trailing.start() else [norm]
            for piece in pieces:
                for part in self.expansions.get(piece, [piece]):
                    tokens.append(Token(part, token.idx, token.idx + len(token.text)))
        return tokens

    def parse(self, text: str) -> Optional[Parsed]:
        """The message's tokens, context spans, sentences and clauses (None if empty)."""
        tokens = self.normalise(text or "")
        if not tokens:
            return None
        words = [t.norm for t in tokens]
        context = self._spans(self.context, words)
        clause_breaks = {s for s, _ in context.get("clause_break", [])}
        return Parsed(text, tokens, words, context,
                      sentences=self._segments(words, SENTENCE_BREAK_PUNCT),
                      clauses=self._segments(words, CLAUSE_BREAK_PUNCT, clause_breaks))

    def analyse(self, text: str) -> Verdict:
        """All sign matches in `text`, each with its reason not to count, and the verdict."""
        parsed = self.parse(text)
        if parsed is None:
            return Verdict(None)
        words = parsed.words
        found = self._spans(self.matcher, words)
        matches = []
        for key, spans in found.items():
            if "#" not in key:
                matches += [self._judge(key, s, e, parsed) for s, e in spans]
        for key, groups in self.together.items():
            for part_keys in groups:
                matches += self._together_matches(key, part_keys, found, parsed)
        return Verdict.of(self._deduplicate(matches))

    def _together_matches(self, key, part_keys, found, parsed: Parsed) -> List[Match]:
        """Matches where every part occurs in one sentence, in any order."""
        if not all(k in found for k in part_keys):
            return []
        results = []
        for sentence in parsed.sentences:
            spans = [[s for s in found[k] if sentence[0] <= s[0] < sentence[1]] for k in part_keys]
            if all(spans):
                first = [parts[0] for parts in spans]
                start, end = min(s for s, _ in first), max(e for _, e in first)
                match = self._judge(key, start, end, parsed, together=True)
                if match.counts and any(self._negation_between(s - 2, s, parsed.context) for s, _ in first):
                    match.reason = "negated"
                results.append(match)
        return results

    @staticmethod
    def _deduplicate(matches: List[Match]) -> List[Match]:
        """One match per sign and span, counting ones first."""
        seen, unique = set(), []
        for match in sorted(matches, key=lambda m: (not m.counts, m.start)):
            key = (match.sign, match.start, match.end)
            if key not in seen:
                seen.add(key)
                unique.append(match)
        return sorted(unique, key=lambda m: m.start)

    # ------------------------------------------------------------ context
    @staticmethod
    def _spans(matcher: SequenceMatcher, words: List[str]) -> Dict[str, List[Tuple[int, int]]]:
        """The matcher's spans per key."""
        spans: Dict[str, List[Tuple[int, int]]] = {}
        for key, start, end in matcher(words):
            spans.setdefault(key, []).append((start, end))
        return spans

    @staticmethod
    def _segments(words: List[str], punctuation: set, word_breaks: Iterable[int] = ()) -> List[Tuple[int, int]]:
        """Token ranges between punctuation marks (dropped) and before break
        words (kept, as the first word of the next segment)."""
        breaks = {i for i, w in enumerate(words) if w in punctuation} | set(word_breaks)
        segments, start = [], 0
        for i in sorted(breaks) + [len(words)]:
            if i > start:
                segments.append((start, i))
            start = i + 1 if i in breaks and words[i] in punctuation else i
        return segments or [(0, len(words))]

    @staticmethod
    def _within(spans: Iterable[Tuple[int, int]], lo: int, hi: int) -> List[Tuple[int, int]]:
        return [(s, e) for s, e in spans if s >= lo and e <= hi]

    def _judge(self, key: str, start: int, end: int, parsed: Parsed, together: bool = False) -> Match:
        kind, sign, label = self.labels[key]
        char_start, char_end = parsed.tokens[start].start, parsed.tokens[end - 1].end
        match = Match(kind, sign, label, char_start, char_end, parsed.text[char_start:char_end])
        context = parsed.context
        clause, sentence = parsed.clause_of(start), parsed.sentence_of(start)
        if self._overlaps(context.get("not_a_sign", []), start, end):
            match.reason = "not a sign"
        elif kind == "red_flag" and self._within(context.get("hypothetical", []), *clause):
            match.reason = "hypothetical"
        elif self._negated(start, end, clause, context, resolved=kind == "red_flag",
                           inside=together):
            match.reason = "negated"
        elif kind == "red_flag" and self._past(start, clause, sentence, context):
            match.reason = "past"
        elif kind == "red_flag" and self._general(sentence, parsed.words, context):
            match.reason = "general"
        elif kind == "red_flag" and self._lasting(sign, sentence, context):
            match.reason = "lasting"
        elif kind == "red_flag" and self._narrative(sentence, context):
            match.maybe = True
        if kind == "crisis":
            match.about = self.about(start, clause, context)
        return match

    def context_reason(self, text: str, kind: str, sign: str) -> Optional[str]:
        """Why a sign that a sentence as a whole resembles (the semantic net)
        is not happening now: hypothetical, past (a past time, or past verbs
        and no present one), general, lasting, or negated (a negation or "any
        more" and nothing that says now: "not breathless, just coughing"),
        or reassuring ("she is eating fine again") with nothing sudden; None
        when it may be. A negated sentence that says now ("he can't keep
        anything down since this morning") still counts."""
        parsed = self._parse_sentence(text) if kind == "red_flag" else None
        if parsed is None:
            return None
        whole, context = (0, len(parsed.words)), parsed.context
        now = self._within(context.get("present", []), *whole) + self._within(context.get("sudden", []), *whole)
        if self._within(context.get("hypothetical", []), *whole):
            return "hypothetical"
        if self._past(0, whole, whole, context):
            return "past"
        if self._general(whole, parsed.words, context):
            return "general"
        if self._lasting(sign, whole, context):
            return "lasting"
        if self._within(context.get("negation", []) + context.get("resolved", []), *whole) and not now:
            return "negated"
        if self._within(context.get("reassuring", []), *whole) and not self._within(context.get("sudden", []), *whole):
            return "reassuring"
        return None

    @functools.lru_cache(maxsize=256)
    def _parse_sentence(self, text: str) -> Optional[Parsed]:
        """A sentence parsed once, though the semantic net asks of it per sign."""
        return self.parse(text)

    def about(self, start: int, clause: Tuple[int, int], context) -> str:
        """Whom a crisis sign is about: the nearest person before it in its
        clause ("she says she wants to die" -> relative), else the writer."""
        people = [(s, "self") for s, _ in self._within(context.get("first_person", []), *clause) if s < start]
        people += [(s, "relative") for s, _ in self._within(context.get("someone_else", []), *clause) if s < start]
        return max(people)[1] if people else "self"

    @staticmethod
    def _overlaps(spans, start, end) -> bool:
        return any(s < end and start < e for s, e in spans)

    def _negated(self, start, end, clause, context, resolved=True, inside=False) -> bool:
        """A negation just before the sign, or (for signs, not for crisis,
        where "any more" is part of the meaning) a word after it saying it
        is over; for `together` matches also a `faded` word between their
        parts ("the rash faded when I pressed the glass")."""
        if self._negation_between(max(clause[0], start - NEGATION_WINDOW), start, context):
            return True
        if any(end <= s and e <= min(clause[1], end + 2) for s, e in context.get("negation_after", [])):
            return True
        if not resolved:
            return False
        hi = min(clause[1], end + RESOLVED_WINDOW)
        after = [s for s, e in context.get("resolved", []) if s >= end and e <= hi]
        negations = context.get("negation", [])
        within = [
            s for s, e in context.get("faded", [])
            if inside and start <= s and e <= end
            and not any(s - NEGATION_WINDOW <= n_start and n_end <= s for n_start, n_end in negations)
        ]
        return bool(after or within)

    @staticmethod
    def _negation_between(lo: int, start: int, context) -> bool:
        """A negation word within tokens lo..start."""
        return any(lo <= s and e <= start for s, e in context.get("negation", []))

    def _past(self, start, clause, sentence, context) -> bool:
        """Past: a past time in the sign's clause and no present time there,
        or a later part of the sentence that puts it in the past ("that was
        months ago") or says it is over ("she's fine now")."""
        later = [s for name in ("recovered", "past_later")
                 for s, e in self._within(context.get(name, []), *sentence) if s >= start]
        if later:
            return True
        past = self._within(context.get("past", []), *clause)
        present = self._within(context.get("present", []), *clause)
        return (bool(past) and not present) or self._told_in_past(sentence, context)

    def _narrative(self, sentence, context) -> bool:
        """A sentence in the past tense (past verbs, no present verb or time):
        "I was shaking so badly my teeth rattled" may be a story of back then
        or what happened an hour ago, so it leads to the urgent check."""
        verbs = lambda name: self._within(context.get(name, []), *sentence)
        return bool(verbs("past_verb")) and not any(verbs(n) for n in ("present_verb", "present", "sudden"))

    def _told_in_past(self, sentence, context) -> bool:
        """A sentence of a story about back then: the message names a past
        time somewhere ("in 2021", "when I had sepsis") and no present one,
        and the sentence is in the past tense (`_narrative`)."""
        if not context.get("past") or any(context.get(name) for name in ("present", "sudden")):
            return False
        return self._narrative(sentence, context)

    def _general(self, sentence, words, context) -> bool:
        """A question about signs in general that names nobody personally
        (words inside quotes and inside the question words do not count)."""
        questions = self._within(context.get("general_question", []), *sentence)
        if not questions:
            return False
        excluded = {i for s, e in questions for i in range(s, e)} | self._quoted(words, sentence)
        personal = [s for s, e in self._within(context.get("personal", []), *sentence)
                    if s not in excluded]
        return not personal

    def _lasting(self, sign, sentence, context) -> bool:
        """A lasting after-effect: "since sepsis" or "for months" (or, for
        some signs, "every time" it comes with effort or standing), nothing
        sudden."""
        if self._within(context.get("sudden", []), *sentence):
            return False
        if sign in self.lasting_since and self._within(context.get("lasting_time", []), *sentence):
            return True
        return (sign in self.lasting_on_effort and bool(self._within(context.get("on_effort", []), *sentence))
                and bool(self._within(context.get("habitual", []), *sentence)))

    @staticmethod
    def _quoted(words: List[str], sentence: Tuple[int, int]) -> set:
        """Token positions between quote marks."""
        inside, quoted = False, set()
        for i in range(*sentence):
            if words[i] in QUOTES:
                inside = not inside
            elif inside:
                quoted.add(i)
        return quoted if not inside else set()


def read_spec(path: Path) -> Dict[str, Any]:
    """One language's pattern file as data."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def merge_contexts(specs: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """Every language's context words (negations, times, question words)
    apply to every language's signs, so an English "not" also negates a
    Dutch sign word in a mixed message."""
    merged: Dict[str, List[str]] = {}
    for spec in specs.values():
        for name, phrases in (spec.get("context") or {}).items():
            merged.setdefault(name, []).extend(phrases)
    return {language: {**spec, "context": merged} for language, spec in specs.items()}


def load_all(directory: Path, languages: Sequence[str] = ("nl", "en")) -> Dict[str, SafetyRules]:
    """Compiled patterns for every language, contexts merged."""
    specs = merge_contexts({lang: read_spec(directory / f"{lang}.yml") for lang in languages})
    return {language: SafetyRules(spec) for language, spec in specs.items()}
