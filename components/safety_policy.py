"""The clinical policy of the safety patterns: which context words set a
match aside, whom a crisis match is about, and the verdict (safety first).

1. Every match of a red-flag sign COUNTS unless its own clause shows that
   it is clearly not happening now:
   - negated: a negation word shortly before the sign ("not", "geen"), or
     right after it where the language puts it there ("ik ril niet"), or a
     "resolved" word shortly after it ("any more", "gone", "voorbij"), unless
     a `rising` phrase holds that word ("it's gone up");
   - past: its clause names a past time ("last year", "toen", "weken
     geleden") and no present one ("now", "suddenly", "nu", "ineens"), or
     the message tells a story about back then (a past time somewhere, no
     present one) and its sentence is in the past tense (past verbs, no
     present verb: "I was shaking so badly my teeth rattled"), or a past time
     earlier in its sentence carries over to its clause (one in the past
     tense, or a short verbless list item: "two years ago I had sepsis,
     rigors, totally confused") when nothing there says now, or a later part
     of the sentence, or the start of the next one, puts it in the past
     ("that was months ago") or says it is over ("she's fine now");
   - general: the sentence asks about signs in general ("what does ...
     mean", "hoe herken je") and mentions nobody personally (quoted words
     do not count);
   - not a sign: an idiom overlaps it ("I'm dying to ...");
   - hypothetical: its clause is about a possible future ("if it ever
     comes back", "als ik het ooit weer krijg"), or an earlier clause of
     its sentence is and nothing in the sentence says now;
   - lasting: a sign the file's `lasting` section lists (a racing heart,
     dizziness, breathlessness, ...) described as an after-effect that has
     lasted "since sepsis" / "for months" ("sinds de sepsis", "al maanden"),
     or for the `on_effort` signs one that comes every time with effort or
     standing up ("whenever I stand up", "elke keer als ik de trap op loop"),
     while nothing in the
     sentence says it is sudden or happening now ("suddenly", "tonight",
     "ineens", "vannacht"): information about post-sepsis syndrome; only
     "maybe" when the lasting time is further than a few words from the
     sign, or another sentence says something changed suddenly.
   Anything else (including unclear cases) escalates.
2. Crisis matches count unless negated ("I'm not suicidal"); past and
   general questions do not exempt them, nor does "any more" ("I don't want
   to live any more"). A crisis match is about a relative when the nearest
   person named before it in its clause is someone else ("my son says he
   wants to die"), else about the writer.
3. Crisis wins over red flag when both count (its answer also says to call
   the emergency number when in immediate danger).
4. A red-flag match in a sentence told in the past tense (past verbs, no
   present verb or time) that no past time sets aside counts as "maybe":
   the urgent check asks whether it is happening now. So does one said,
   close to it in its clause, to have been there for years ("for years",
   "al vier jaar"), with nothing sudden in that clause, and one in a
   sentence that says a professional has seen it or the person is in
   hospital ("the midwife said it's newborn rash"), saying nothing of now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import AbstractSet, Any, Dict, Iterable, List, Optional, Sequence, Tuple

from components.safety_normalise import SENTENCE_ENDS, Token

KINDS = ("crisis", "red_flag")
CHECK = "red_flag_check"  # a red flag, but not sure it is happening now: ask
NEGATION_WINDOW = 4
RESOLVED_WINDOW = 4
FRAGMENT_LENGTH = 4  # words of a verbless list item that takes its sentence's time
LASTING_WINDOW = 4  # tokens either side of a sign where "since sepsis" sets it aside
LIFELONG_WINDOW = 8  # tokens either side of a sign where "for years" makes it a question
CLAUSE_BREAK_PUNCT = SENTENCE_ENDS | set(":,()")
QUOTES = {"'", '"', "\u2018", "\u2019", "\u201c", "\u201d"}

Spans = Dict[str, List[Tuple[int, int]]]


class Context(str, Enum):
    """The context word lists of a pattern file (its `context:` section)."""

    NEGATION = "negation"  # "not", "geen" shortly before a sign
    NEGATION_AFTER = "negation_after"  # right after it, where the language puts it ("ik ril niet")
    RESOLVED = "resolved"  # it is over: "any more", "gone", "voorbij"
    RISING = "rising"  # a resolved word that says the opposite: "it's gone up"
    FADED = "faded"  # between `together` parts: "the rash faded when I pressed"
    RECOVERED = "recovered"  # later in the sentence: "she's fine now"
    PAST = "past"  # a past time: "last year", "toen"
    PAST_LATER = "past_later"  # later in the sentence: "that was months ago"
    PRESENT = "present"  # a present time: "now", "nu"
    LASTING_TIME = "lasting_time"  # "since sepsis", "al maanden"
    LIFELONG = "lifelong"  # years-long, for any sign: "always have been", "al jaren"
    ASSESSED = "assessed"  # a professional has seen it: "the midwife said", "de verpleging zegt"
    ON_EFFORT = "on_effort"  # "whenever I stand up"
    HABITUAL = "habitual"  # "every time", "elke keer"
    SUDDEN = "sudden"  # sudden or happening now: "suddenly", "vannacht"
    HYPOTHETICAL = "hypothetical"  # "if it ever comes back"
    REPORTED = "reported"  # news passed on, which no hypothetical word inside it makes a supposition: "rang to say"
    NOT_A_SIGN = "not_a_sign"  # idioms: "I'm dying to ..."
    GENERAL_QUESTION = "general_question"  # "what does ... mean", "hoe herken je"
    PERSONAL = "personal"  # somebody named: I, my, he, ...
    PAST_VERB = "past_verb"  # tense of a sentence
    PRESENT_VERB = "present_verb"
    REASSURING = "reassuring"  # "she is eating fine again"
    FIRST_PERSON = "first_person"  # whom a crisis sign is about: the writer
    SOMEONE_ELSE = "someone_else"  # or someone else
    CLAUSE_BREAK = "clause_break"  # a word that starts a clause: "but", "maar"


class Reason(str, Enum):
    """Why a match does not count (the output's `ignored_because`)."""

    NOT_A_SIGN = "not a sign"
    HYPOTHETICAL = "hypothetical"
    NEGATED = "negated"
    PAST = "past"
    GENERAL = "general"
    LASTING = "lasting"
    REASSURING = "reassuring"
    LIFELONG = "lifelong"  # the semantic net: there for years, so only "maybe"


class About(str, Enum):
    """Whom a crisis match is about."""

    SELF = "self"
    RELATIVE = "relative"


@dataclass
class Match:
    """One sign found in a message, and whether it counts."""

    kind: str
    sign: str
    label: str
    start: int
    end: int
    text: str
    reason: Optional[str] = None  # why it does not count: a Reason value (negated/past/general/lasting/...)
    maybe: bool = False  # it counts, but its sentence may tell of back then: ask
    about: Optional[str] = None  # crisis only: an About value, "self" (the writer) or "relative" (someone close)

    @property
    def counts(self) -> bool:
        return self.reason is None

    def as_dict(self) -> Dict[str, Any]:
        found = {
            "kind": self.kind,
            "sign": self.sign,
            "label": self.label,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "ignored_because": self.reason,
        }
        if self.maybe:
            found["maybe"] = "told in the past tense"
        if self.about:
            found["about"] = self.about
        return found


def segments(words: List[str], punctuation: AbstractSet[str], word_breaks: Iterable[int] = ()) -> List[Tuple[int, int]]:
    """Token ranges between punctuation marks (dropped) and before break
    words (kept, as the first word of the next segment)."""
    breaks = {i for i, w in enumerate(words) if w in punctuation} | set(word_breaks)
    found, start = [], 0
    for i in sorted(breaks) + [len(words)]:
        if i > start:
            found.append((start, i))
        start = i + 1 if i in breaks and words[i] in punctuation else i
    return found or [(0, len(words))]


@dataclass
class Parsed:
    """A message prepared for judging: its tokens, their spaCy doc, the
    context spans, and its sentences and clauses (computed once)."""

    text: str
    tokens: List[Token]
    words: List[str]
    context: Spans
    sentences: List[Tuple[int, int]]
    clauses: List[Tuple[int, int]]

    @classmethod
    def of(cls, text: str, tokens: List[Token], context: Spans) -> "Parsed":
        """The message with its sentences and clauses (a clause also starts at a clause_break word)."""
        words = [t.norm for t in tokens]
        clause_breaks = {s for s, _ in context.get(Context.CLAUSE_BREAK, [])}
        return cls(
            text,
            tokens,
            words,
            context,
            sentences=segments(words, SENTENCE_ENDS),
            clauses=segments(words, CLAUSE_BREAK_PUNCT, clause_breaks),
        )

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


def deduplicate(matches: List[Match]) -> List[Match]:
    """One match per sign and span, counting ones first."""
    seen, unique = set(), []
    for match in sorted(matches, key=lambda m: (not m.counts, m.start)):
        key = (match.sign, match.start, match.end)
        if key not in seen:
            seen.add(key)
            unique.append(match)
    return sorted(unique, key=lambda m: m.start)


def within(spans: Iterable[Tuple[int, int]], lo: int, hi: int) -> List[Tuple[int, int]]:
    return [(s, e) for s, e in spans if s >= lo and e <= hi]


def overlaps(spans: Iterable[Tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def negation_between(lo: int, start: int, context: Spans) -> bool:
    """A negation word within tokens lo..start."""
    return any(lo <= s and e <= start for s, e in context.get(Context.NEGATION, []))


def hypotheses(context: Spans) -> List[Tuple[int, int]]:
    """The hypothetical spans, but for those inside news passed on ("the
    home rang to say he had a seizure" is not "say he had a seizure")."""
    reported = context.get(Context.REPORTED, [])
    return [(s, e) for s, e in context.get(Context.HYPOTHETICAL, []) if not overlaps(reported, s, e)]


def inside(spans: Iterable[Tuple[int, int]], start: int, end: int) -> bool:
    """Tokens start..end lie inside one of the spans."""
    return any(s <= start and end <= e for s, e in spans)


def says_now(span: Tuple[int, int], context: Spans) -> bool:
    """A present or sudden time inside the span ("now", "tonight", "ineens"),
    but for one inside a past time ("five years ago today")."""
    past = context.get(Context.PAST, [])
    return any(
        not inside(past, s, e)
        for name in (Context.PRESENT, Context.SUDDEN)
        for s, e in within(context.get(name, []), *span)
    )


def quoted(words: List[str], sentence: Tuple[int, int]) -> set:
    """Token positions between quote marks."""
    inside, found = False, set()
    for i in range(*sentence):
        if words[i] in QUOTES:
            inside = not inside
        elif inside:
            found.add(i)
    return found if not inside else set()


class Policy:
    """The decisions, with one pattern file's `lasting` signs."""

    def __init__(self, lasting_since: Iterable[str] = (), lasting_on_effort: Iterable[str] = ()) -> None:
        self.lasting_since = frozenset(lasting_since)
        self.lasting_on_effort = frozenset(lasting_on_effort)

    def judge(
        self, match: Match, start: int, end: int, parsed: Parsed, parts: Optional[Sequence[Tuple[int, int]]] = None
    ) -> Match:
        """Set why the match at tokens start..end does not count, or that it
        is only "maybe", and whom a crisis is about. `parts`: the first span
        of each part of a `together` match, a negation just before one of
        them negates it too."""
        kind, sign = match.kind, match.sign
        context = parsed.context
        clause, sentence = parsed.clause_of(start), parsed.sentence_of(start)
        # a `together` match may run on into the next clause ("vlekjes, maar die drukken weg")
        reach = (clause[0], max(clause[1], parsed.clause_of(end - 1)[1]))
        if overlaps(context.get(Context.NOT_A_SIGN, []), start, end):
            match.reason = Reason.NOT_A_SIGN.value
        elif kind == "red_flag" and self.hypothetical(start, clause, sentence, context):
            match.reason = Reason.HYPOTHETICAL.value
        elif self.negated(start, end, reach, context, resolved=kind == "red_flag", inside=parts is not None):
            match.reason = Reason.NEGATED.value
        elif kind == "red_flag" and self.past(start, clause, sentence, context):
            match.reason = Reason.PAST.value
        elif kind == "red_flag" and self.general(sentence, parsed.words, context):
            match.reason = Reason.GENERAL.value
        elif kind == "red_flag" and self.lasting(sign, sentence, context):
            # an after-effect when "since sepsis" is close to the sign; ask when
            # it is further off ("he has had diabetes for years and is very
            # confused") or another sentence says something changed suddenly
            # ("he was sharp as anything yesterday")
            sudden = within(context.get(Context.SUDDEN, []), 0, len(parsed.words))
            if sudden or not self.lasting_close(sign, start, end, sentence, context):
                match.maybe = True
            else:
                match.reason = Reason.LASTING.value
        elif kind == "red_flag" and (
            self.narrative(sentence, context)
            or self.lifelong(start, end, clause, context)
            or self.assessed(sentence, context)
        ):
            match.maybe = True
        if kind == "crisis":
            match.about = self.about(end, clause, context)
        if parts is not None and match.counts and any(negation_between(s - 2, s, context) for s, _ in parts):
            match.reason = Reason.NEGATED.value
        return match

    def sentence_reason(self, parsed: Parsed, sign: str) -> Optional[str]:
        """Why a red-flag sign that a sentence as a whole resembles (the
        semantic net) is not happening now: hypothetical, past (a past time,
        or past verbs and no present one), general, lasting, lifelong (there
        for years: the detector makes it only "maybe"), or negated (a
        negation or "any more" and nothing that says now: "not breathless,
        just coughing"), or reassuring ("she is eating fine again") with
        nothing sudden; None when it may be. A negated sentence that says
        now ("he can't keep anything down since this morning") still counts."""
        whole, context = (0, len(parsed.words)), parsed.context
        now = says_now(whole, context)
        if within(hypotheses(context), *whole):
            return Reason.HYPOTHETICAL.value
        if self.past(0, whole, whole, context):
            return Reason.PAST.value
        if self.general(whole, parsed.words, context):
            return Reason.GENERAL.value
        if self.lasting(sign, whole, context):
            return Reason.LASTING.value
        if self.lifelong(0, len(parsed.words), whole, context):
            return Reason.LIFELONG.value
        if within(context.get(Context.NEGATION, []) + context.get(Context.RESOLVED, []), *whole) and not now:
            return Reason.NEGATED.value
        if within(context.get(Context.REASSURING, []), *whole) and not within(context.get(Context.SUDDEN, []), *whole):
            return Reason.REASSURING.value
        return None

    @staticmethod
    def about(end: int, clause: Tuple[int, int], context: Spans) -> str:
        """Whom a crisis sign is about: the last person named in its clause
        before its end, inside the sign too ("she says she wants to die", "I
        found out my daughter has been cutting" -> relative), else the writer."""
        people = [(s, About.SELF.value) for s, _ in within(context.get(Context.FIRST_PERSON, []), *clause) if s < end]
        people += [
            (s, About.RELATIVE.value) for s, _ in within(context.get(Context.SOMEONE_ELSE, []), *clause) if s < end
        ]
        return max(people)[1] if people else About.SELF.value

    @staticmethod
    def negated(start, end, clause, context: Spans, resolved=True, inside=False) -> bool:
        """A negation just before the sign, or (for signs, not for crisis,
        where "any more" is part of the meaning) a word after it saying it
        is over; for `together` matches also a `faded` word between their
        parts or later in the clause ("the rash faded when I pressed the
        glass", "spots with a glass like the leaflet says and they faded",
        "vlekjes op haar arm, ze drukken weg")."""
        if negation_between(max(clause[0], start - NEGATION_WINDOW), start, context):
            return True
        if any(end <= s and e <= min(clause[1], end + 2) for s, e in context.get(Context.NEGATION_AFTER, [])):
            return True
        if not resolved:
            return False
        hi = min(clause[1], end + RESOLVED_WINDOW)
        rising = context.get(Context.RISING, [])
        after = [s for s, e in context.get(Context.RESOLVED, []) if s >= end and e <= hi and not overlaps(rising, s, e)]
        faded = [
            s
            for s, e in context.get(Context.FADED, [])
            if inside and start <= s and e <= clause[1] and not negation_between(s - NEGATION_WINDOW, s, context)
        ]
        return bool(after or faded)

    def past(self, start, clause, sentence, context: Spans) -> bool:
        """Past: a past time in the sign's clause and no present time there,
        or a later part of the sentence that puts it in the past ("that was
        months ago") or says it is over ("she's fine now")."""
        # "she's fine now" or "that was months ago", but not "won't pink up"
        later = [
            s
            for name in (Context.RECOVERED, Context.PAST_LATER)
            for s, e in within(context.get(name, []), *sentence)
            if s >= start and not (name is Context.RECOVERED and negation_between(s - 2, s, context))
        ]
        if later or self.dated_after(sentence, context):
            return True
        past = within(context.get(Context.PAST, []), *clause)
        # a present word inside a past time is not now: "two years ago tonight"
        present = [(s, e) for s, e in within(context.get(Context.PRESENT, []), *clause) if not inside(past, s, e)]
        if past and not present:
            return True
        # "In September he was delirious for weeks, he didn't know us": a
        # past time earlier in the sentence carries over to a clause in the
        # past tense, or to a fragment with no verb or time of its own ("two
        # years ago I had sepsis, rigors, totally confused"), when nothing in
        # the sentence says now.
        past = within(context.get(Context.PAST, []), *sentence)
        if past and not says_now(sentence, context):
            before = any(s < clause[0] for s, _ in past)
            if self.narrative(clause, context) or (before and self.fragment(clause, context)):
                return True
        return self.told_in_past(sentence, context)

    @staticmethod
    def fragment(clause, context: Spans) -> bool:
        """A short clause with no verb of its own ("totally confused"); the
        caller has made sure nothing in its sentence says now."""
        verbs = (Context.PAST_VERB, Context.PRESENT_VERB)
        short = clause[1] - clause[0] <= FRAGMENT_LENGTH
        return short and not any(within(context.get(name, []), *clause) for name in verbs)

    @staticmethod
    def dated_after(sentence, context: Spans) -> bool:
        """The next sentence opens by dating this one ("... sure I was going
        to die that night. That was 18 months ago.") and nothing in this one
        says it is sudden or now."""
        if within(context.get(Context.SUDDEN, []), *sentence):
            return False
        end = sentence[1]
        return any(end < s <= end + 2 for s, _ in context.get(Context.PAST_LATER, []))

    @staticmethod
    def narrative(sentence, context: Spans) -> bool:
        """A sentence in the past tense (past verbs, no present verb or time):
        "I was shaking so badly my teeth rattled" may be a story of back then
        or what happened an hour ago, so it leads to the urgent check."""

        def verbs(name: Context) -> List[Tuple[int, int]]:
            return within(context.get(name, []), *sentence)

        return bool(verbs(Context.PAST_VERB)) and not any(
            verbs(n) for n in (Context.PRESENT_VERB, Context.PRESENT, Context.SUDDEN)
        )

    def told_in_past(self, sentence, context: Spans) -> bool:
        """A sentence of a story about back then: the message names a past
        time somewhere ("in 2021", "when I had sepsis") and no present one,
        and the sentence is in the past tense (`narrative`)."""
        if not context.get(Context.PAST) or any(context.get(name) for name in (Context.PRESENT, Context.SUDDEN)):
            return False
        return self.narrative(sentence, context)

    @staticmethod
    def general(sentence, words: List[str], context: Spans) -> bool:
        """A question about signs in general that names nobody personally
        (words inside quotes and inside the question words do not count)."""
        questions = within(context.get(Context.GENERAL_QUESTION, []), *sentence)
        if not questions:
            return False
        excluded = {i for s, e in questions for i in range(s, e)} | quoted(words, sentence)
        personal = [s for s, e in within(context.get(Context.PERSONAL, []), *sentence) if s not in excluded]
        return not personal

    @staticmethod
    def hypothetical(start, clause, sentence, context: Spans) -> bool:
        """About a possible future: in the sign's clause ("if it ever comes
        back"), or earlier in its sentence when nothing there says now ("if
        dad gets another infection, what signs come before he goes confused?")."""
        spans = hypotheses(context)
        if within(spans, *clause):
            return True
        before = [s for s, _ in within(spans, *sentence) if s < start]
        now = says_now(sentence, context)
        return bool(before) and not now

    @staticmethod
    def assessed(sentence, context: Spans) -> bool:
        """A nurse, midwife, GP or pharmacist has seen it ("the midwife said
        it's newborn rash"), in the sign's sentence, which says nothing of
        now: ask rather than escalate."""
        return bool(within(context.get(Context.ASSESSED, []), *sentence)) and not says_now(sentence, context)

    @staticmethod
    def lifelong(start, end, clause, context: Spans) -> bool:
        """A sign said, close to it in its clause, to have been there for
        years or always ("is al vier jaar wat brabbelig"), nothing sudden in
        that clause: likely a lasting condition, so ask rather than escalate."""
        if within(context.get(Context.SUDDEN, []), *clause):
            return False
        lo, hi = max(clause[0], start - LIFELONG_WINDOW), min(clause[1], end + LIFELONG_WINDOW)
        return bool(within(context.get(Context.LIFELONG, []), lo, hi))

    def lasting_close(self, sign, start, end, sentence, context: Spans) -> bool:
        """The lasting time ("since sepsis", "al maanden") is within a few
        words of the sign, or it comes every time with effort."""
        lo, hi = max(sentence[0], start - LASTING_WINDOW), min(sentence[1], end + LASTING_WINDOW)
        close = [(s, e) for s, e in within(context.get(Context.LASTING_TIME, []), *sentence) if s < hi and e > lo]
        return bool(close) or self.on_effort(sign, sentence, context)

    def on_effort(self, sign, sentence, context: Spans) -> bool:
        """A sign that comes every time with effort or standing up."""
        return (
            sign in self.lasting_on_effort
            and bool(within(context.get(Context.ON_EFFORT, []), *sentence))
            and bool(within(context.get(Context.HABITUAL, []), *sentence))
        )

    def lasting(self, sign, sentence, context: Spans) -> bool:
        """A lasting after-effect: "since sepsis" or "for months" (or, for
        some signs, "every time" it comes with effort or standing), nothing
        sudden."""
        if within(context.get(Context.SUDDEN, []), *sentence):
            return False
        if sign in self.lasting_since and within(context.get(Context.LASTING_TIME, []), *sentence):
            return True
        return self.on_effort(sign, sentence, context)
