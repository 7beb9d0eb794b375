"""The two-sentence summaries topic answers start with (the widget shows
them first): every variant of every topic answer has one, in its own
language, short, plain and readable (content/readability.yml's `summary`)."""

from __future__ import annotations

import re
from typing import Dict, Iterable, List

from authoring import links, readability
from authoring.project import LANGUAGE_NAMES, Place, Project, Response, Variant
from authoring.yaml_lines import load

SENTENCE = re.compile(r"[^.!?]+[.!?]+(?:\s+|$)")


def rules(project: Project) -> Dict[str, int]:
    """The summary's limits: {sentences, max_words}."""
    found = load(project.root / "content" / "readability.yml")["summary"]
    return {"sentences": int(found["sentences"]), "max_words": int(found["max_words"])}


def sentences(text: str) -> List[str]:
    """The sentences of a one-paragraph text (each ends in . ! or ?)."""
    text = text.strip()
    found = [s.strip() for s in SENTENCE.findall(text)]
    rest = SENTENCE.sub("", text).strip()
    return found + ([rest] if rest else [])


def topic_answers(project: Project) -> List[Response]:
    """The answer of every catalogue topic that the domain has."""
    return [project.responses[f"utter_{t}"] for t in project.topics if f"utter_{t}" in project.responses]


def as_responses(project: Project) -> List[Response]:
    """The summaries as responses of their own (for the wording rules)."""
    return [
        Response(
            f"{r.name} (summary)",
            r.place,
            [Variant(v.response, v.summary, v.language, v.country, v.summary_place or v.place) for v in r.variants],
        )
        for r in topic_answers(project)
    ]


def problems(project: Project, targets: Dict[str, float]) -> Iterable[tuple]:
    """(place, message, subject) for every missing, long, unclear or
    many-sentence summary."""
    limits = rules(project)
    for response in topic_answers(project):
        for variant in response.variants:
            place: Place = variant.summary_place or variant.place
            summary = variant.summary.strip()
            if not summary:
                yield place, f"answer '{response.name}' has a variant without metadata.summary", response.name
                continue
            language = variant.language or "en"
            count = len(sentences(summary))
            words = len(readability.WORD.findall(summary))
            if "\n" in summary or count != limits["sentences"]:
                yield (
                    place,
                    f"summary of '{response.name}' has {count} sentences on "
                    f"{summary.count(chr(10)) + 1} line(s); write exactly {limits['sentences']} in one paragraph",
                    response.name,
                )
            if words > limits["max_words"]:
                yield (
                    place,
                    f"summary of '{response.name}' has {words} words, at most {limits['max_words']}",
                    response.name,
                )
            if links.phone_numbers(summary) or links.links(summary):
                yield (
                    place,
                    f"summary of '{response.name}' has a phone number or link; the link cards carry those",
                    response.name,
                )
            score = readability.score(summary, language).score
            if score < targets[language]:
                yield (
                    place,
                    f"{LANGUAGE_NAMES[language]} summary of '{response.name}' scores {score:.1f}, "
                    f"target ≥ {targets[language]:.0f}: use shorter sentences and shorter words",
                    response.name,
                )
