"""The safety layer's decision for one message, from what the patterns,
the semantic net and the classifier found (kept apart from the Rasa
component so it can be read and tested on its own).

Three outcomes, crisis first:
- crisis: a crisis pattern counts, a sentence is close to a crisis form
  (or, unless the patterns found a red flag, most of its neighbours are
  crisis examples; the head's guess alone not when the patterns found a
  sign told in the past tense), or the classifier alone guesses crisis; about a relative when the
  nearest person named is someone else, or the closest form is one a
  relative tells (self_harm_found, relative_reports);
- red_flag (certain): a red-flag pattern counts, or a sentence is close
  to a sign's description, happening now;
- red_flag_check (unsure: "is this happening now?"): a pattern sign in a
  sentence told in the past tense, a weaker semantic match, or only the
  classifier guessing a red flag. A classifier guess alone never
  sends anyone to 999/112.
When every sign found is set aside (past, lasting, a general question,
negated, ...) and the classifier guessed an escalation, the message goes
to the best information topic instead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

from components.safety_policy import CHECK, About, Verdict
from components.safety_semantic import SemanticMatch

ESCALATIONS = ("crisis", "red_flag")
RELATIVE_FORMS = {"self_harm_found", "relative_reports"}


@dataclass(frozen=True)
class Outcome:
    """What the detector does with the message."""

    intent: Optional[str]  # crisis / red_flag / red_flag_check, or None
    source: str = ""  # patterns / semantic / classifier
    about: Optional[str] = None  # crisis: self or relative
    overrule: bool = False  # the classifier's escalation is set aside: best topic
    similarity: Optional[float] = None


def _counting(semantic: Sequence[SemanticMatch], kind: str, levels: Sequence[str]) -> List[SemanticMatch]:
    """The sentences whose showing for `kind` counts at one of `levels`, strongest first."""
    return sorted(
        (m for m in semantic if m.kind == kind and m.reason is None and m.level in levels),
        key=lambda m: (-m.share, -m.similarity),
    )


def _closest_sign(semantic: Sequence[SemanticMatch], crisis: SemanticMatch) -> float:
    """How close the crisis match's sentence is to its closest red-flag description."""
    return max((m.similarity for m in semantic if m.kind == "red_flag" and m.start == crisis.start), default=0.0)


def _about(verdict: Verdict, close: List[SemanticMatch]) -> str:
    pattern = {m.about for m in verdict.counting if m.kind == "crisis"}
    if About.SELF in pattern:
        return About.SELF.value
    if About.RELATIVE in pattern:
        return About.RELATIVE.value
    return About.RELATIVE.value if close and close[0].sign in RELATIVE_FORMS else About.SELF.value


def decide(
    verdict: Verdict,
    semantic: Sequence[SemanticMatch],
    classifier_intent: Optional[str],
    topic_is_clear: bool = False,
    head_gives_way: bool = False,
    likely_gives_way: bool = False,
) -> Outcome:
    """The outcome for a message (see the module's docstring). When the
    classifier is clear about an information topic (`topic_is_clear`), a
    semantic "maybe" gives way to it ("should I stop my antibiotics? they
    make me feel sick" is a medicines question); a crisis found by the head
    alone gives way to a topic the classifier gives enough (`head_gives_way`:
    "my dad passed away from sepsis and I can't stop thinking about it" is
    about bereavement), and one found by the neighbours alone to a topic the
    classifier is very sure of (`likely_gives_way`: "my wife is not herself
    since ICU, how can I help her?" is about carers)."""
    # A sign the patterns found but are unsure is happening now (the urgent
    # check) outweighs a crisis the head alone sees elsewhere in the message.
    head = not head_gives_way and verdict.kind != CHECK
    levels = ("certain",) + (() if likely_gives_way else ("likely",)) + (("head",) if head else ())
    crisis = _counting(semantic, "crisis", levels)
    if verdict.kind == "red_flag":
        # A red flag the patterns are sure of ("I feel like I'm going to die")
        # gives way only to a sentence closer to a crisis form than to any sign.
        crisis = [m for m in crisis if m.level == "certain" and m.similarity > _closest_sign(semantic, m)]
    if verdict.kind == "crisis" or crisis:
        source = "patterns" if verdict.kind == "crisis" else "semantic"
        return Outcome("crisis", source, _about(verdict, crisis), similarity=crisis[0].similarity if crisis else None)
    if verdict.kind == "red_flag":
        return Outcome("red_flag", "patterns")
    certain = _counting(semantic, "red_flag", ("certain",))
    if certain:
        return Outcome("red_flag", "semantic", similarity=certain[0].similarity)
    if verdict.kind == CHECK:
        return Outcome(CHECK, "patterns")
    maybe = _counting(semantic, "red_flag", ("maybe",))
    if maybe and not topic_is_clear:
        return Outcome(CHECK, "semantic", similarity=maybe[0].similarity)
    set_aside = bool(verdict.ignored) or any(m.reason and m.level for m in semantic)
    if classifier_intent in (*ESCALATIONS, CHECK) and set_aside:
        return Outcome(None, "classifier", overrule=True)
    if classifier_intent == "crisis":
        return Outcome("crisis", "classifier", About.SELF.value)
    if classifier_intent in ("red_flag", CHECK):
        return Outcome(CHECK, "classifier")
    return Outcome(None)
