"""One language's safety patterns (`data/safety/<lang>.yml`), compiled into
token-sequence patterns (components/safety_matcher.py), and the search for
them in a message; the policy (components/safety_policy.py) decides, per
match, whether it counts.

A message is tokenised with spaCy's language class (no model) and
normalised (components/safety_normalise.py): lower case, accents removed,
contractions and spellings expanded by the file's `expand` table ("can't"
-> can not, "m'n" -> mijn). Longer words tolerate a typo (8-11 letters one
edit, 12+ two), `word*` covers inflections, `together` parts may come in
any order within a sentence (Dutch word order, separable verbs), `apart`
parts anywhere in the message (a goodbye told over several sentences). The `..`
gaps never skip a negation word, so "lips are not blue" does not match
"lips .. blue" (components/safety_notation.py).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from components.safety_matcher import SequenceMatcher
from components.safety_normalise import Normaliser
from components.safety_notation import Notation
from components.safety_policy import KINDS, Context, Match, Parsed, Policy, Spans, Verdict, deduplicate
from components.safety_spec import PatternSpec, Sign, merge_contexts, read_spec, spec_of


def spans(matcher: SequenceMatcher, words: List[str]) -> Spans:
    """The matcher's spans per key."""
    found: Spans = {}
    for key, start, end in matcher(words):
        found.setdefault(key, []).append((start, end))
    return found


class SafetyRules:
    """Compiled patterns of one language and the decision logic."""

    def __init__(self, spec: Union[PatternSpec, Mapping[str, Any]]) -> None:
        spec = spec_of(spec)
        contexts = spec.context_lists()
        self.language = spec.language
        self.normalise = Normaliser(spec.language, spec.expand)
        self.nlp = self.normalise.nlp
        self.notation = Notation(self.normalise, contexts[Context.NEGATION])
        self.policy = Policy(spec.lasting.since, spec.lasting.on_effort)
        self.matcher = SequenceMatcher()
        self.context = SequenceMatcher()
        self.labels: Dict[str, Tuple[str, str, str]] = {}
        self.together: Dict[str, List[List[str]]] = {}
        self.apart: Dict[str, List[List[str]]] = {}
        for kind in KINDS:
            for sign, entry in spec.signs(kind).items():
                self._add_sign(kind, sign, entry)
        for name, phrases in contexts.items():
            self.context.add(name.value, [p for phrase in phrases for p in self.notation.compile(phrase)])

    def _add_sign(self, kind: str, sign: str, entry: Sign) -> None:
        key = f"{kind}:{sign}"
        self.labels[key] = (kind, sign, sign if entry.label is None else entry.label)
        patterns = [p for phrase in entry.phrases for p in self.notation.compile(phrase)]
        if patterns:
            self.matcher.add(key, patterns)
        for name, groups in (("together", entry.together), ("apart", entry.apart)):
            for index, parts in enumerate(groups):
                part_keys = []
                for part_index, part in enumerate(parts):
                    part_key = f"{key}#{name}{index}.{part_index}"
                    self.matcher.add(part_key, self.notation.compile(part))
                    part_keys.append(part_key)
                getattr(self, name).setdefault(key, []).append(part_keys)

    def parse(self, text: str) -> Optional[Parsed]:
        """The message's tokens, context spans, sentences and clauses (None if empty)."""
        tokens = self.normalise(text or "")
        if not tokens:
            return None
        return Parsed.of(text, tokens, spans(self.context, [t.norm for t in tokens]))

    def analyse(self, text: str) -> Verdict:
        """All sign matches in `text`, each with its reason not to count, and the verdict."""
        parsed = self.parse(text)
        if parsed is None:
            return Verdict(None)
        found = spans(self.matcher, parsed.words)
        matches = []
        for key, found_spans in found.items():
            if "#" not in key:
                matches += [self._judge(key, s, e, parsed) for s, e in found_spans]
        message = [(0, len(parsed.words))]
        for groups, spans_of_parts in ((self.together, parsed.sentences), (self.apart, message)):
            for key, part_key_lists in groups.items():
                for part_keys in part_key_lists:
                    matches += self._together_matches(key, part_keys, found, parsed, spans_of_parts)
        return Verdict.of(deduplicate(matches))

    def _together_matches(
        self, key: str, part_keys: List[str], found: Spans, parsed: Parsed, spans_of_parts: Sequence[Tuple[int, int]]
    ) -> List[Match]:
        """Matches where every part occurs in one of `spans_of_parts` (each
        sentence for `together`, the whole message for `apart`), in any order."""
        if not all(k in found for k in part_keys):
            return []
        results = []
        for sentence in spans_of_parts:
            part_spans = [[s for s in found[k] if sentence[0] <= s[0] < sentence[1]] for k in part_keys]
            if all(part_spans):
                first = [parts[0] for parts in part_spans]
                start, end = min(s for s, _ in first), max(e for _, e in first)
                results.append(self._judge(key, start, end, parsed, parts=first))
        return results

    def _judge(
        self, key: str, start: int, end: int, parsed: Parsed, parts: Optional[Sequence[Tuple[int, int]]] = None
    ) -> Match:
        kind, sign, label = self.labels[key]
        char_start, char_end = parsed.tokens[start].start, parsed.tokens[end - 1].end
        match = Match(kind, sign, label, char_start, char_end, parsed.text[char_start:char_end])
        return self.policy.judge(match, start, end, parsed, parts)

    def context_reason(self, text: str, kind: str, sign: str) -> Optional[str]:
        """Why a red-flag sign that a sentence as a whole resembles (the
        semantic net) is not happening now (`Policy.sentence_reason`); None
        when it may be, and always for crisis."""
        parsed = self._parse_sentence(text) if kind == "red_flag" else None
        return None if parsed is None else self.policy.sentence_reason(parsed, sign)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one instance per language, alive as long as the process
    def _parse_sentence(self, text: str) -> Optional[Parsed]:
        """A sentence parsed once, though the semantic net asks of it per sign."""
        return self.parse(text)


def load_all(directory: Path, languages: Sequence[str] = ("nl", "en")) -> Dict[str, SafetyRules]:
    """Compiled patterns for every language, contexts merged."""
    specs = merge_contexts({lang: read_spec(directory / f"{lang}.yml") for lang in languages})
    return {language: SafetyRules(spec) for language, spec in specs.items()}
