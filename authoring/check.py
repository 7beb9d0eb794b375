"""The content check: is every topic complete, consistent and readable?

    .venv/bin/python -m authoring.check            # exit 1 and list problems
    .venv/bin/python -m authoring.check --report   # also every readability score
    .venv/bin/python -m authoring.check --csv scores.csv

Each problem names the file and line to fix. The tests call `problems()`,
so this is the one implementation of these rules."""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from actions.relatives import note_response
from authoring import links, readability, review_sheet, summaries
from authoring.project import LANGUAGE_NAMES, LANGUAGES, ROOT, Place, Project, Response, Variant, plain
from authoring.yaml_lines import YamlError, load

MIN_TOPIC_EXAMPLES = 25  # distinct training examples per topic and language
MIN_OTHER_EXAMPLES = 20  # for conversation and safety intents
MIN_HELDOUT_EXAMPLES = 5  # held-out examples per topic and language (eval/nlu)
PLACEHOLDER = re.compile(r"\bTODO\b")
PLACEHOLDER_FOLDERS = ("content", "data", "domain", "eval/stories", "eval/nlu")
BUILTIN_INTENTS = {"nlu_fallback", "restart", "session_start", "back"}
# Set by the safety detector's fixed rules, never learnt from examples.
DETECTOR_INTENTS = {"red_flag_check"}


@dataclass(frozen=True)
class Problem:
    """One thing to fix: where, what, and the topic or name it is about."""

    place: Place
    message: str
    subject: str = ""

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


def targets(project: Project) -> Dict[str, float]:
    """Readability targets per language (content/readability.yml)."""
    return {lang: float(v) for lang, v in load(project.root / "content" / "readability.yml")["targets"].items()}


# ---------------------------------------------------------------- topics
def topic_problems(project: Project) -> Iterable[Problem]:
    """Every catalogue topic: titles, signposts, intent, examples, answers,
    rules, test stories and held-out examples in both languages."""
    examples = project.by_intent([e for e in project.examples if not PLACEHOLDER.search(e.text)])
    heldout = project.by_intent([e for e in project.heldout if not PLACEHOLDER.search(e.text)])
    written = project.by_intent(project.examples + project.heldout)  # with placeholders: for the line
    orgs = project.organisations
    for topic, spec in project.topics.items():
        here = project.topic_place(topic)

        def problem(message: str, place: Place = here, topic: str = topic) -> Problem:
            return Problem(place, message, topic)

        for lang in LANGUAGES:
            if not str((spec.get("title") or {}).get(lang) or "").strip():
                yield problem(f"topic '{topic}' has no {LANGUAGE_NAMES[lang]} title")
        for country, org_ids in (spec.get("signposts") or {}).items():
            for org_id in org_ids or []:
                if org_id not in orgs:
                    yield problem(f"topic '{topic}': unknown organisation '{org_id}' (not in content/contacts.yml)")
                elif orgs[org_id].get("country") != country:
                    yield problem(f"topic '{topic}': '{org_id}' is not in {country}")
        if topic not in project.intents:
            yield problem(f"topic '{topic}' is not an intent of the domain (domain/topics/{topic}.yml)")
        for lang in LANGUAGES:
            mine = examples.get(topic, {}).get(lang, [])
            count = len({plain(e.text) for e in mine})
            if count < MIN_TOPIC_EXAMPLES:
                where = next(
                    (e.place for e in written.get(topic, {}).get(lang, []) if e.place.path.startswith("data/")), here
                )
                yield problem(
                    f"topic '{topic}' has {count} {LANGUAGE_NAMES[lang]} examples, needs at least "
                    f"{MIN_TOPIC_EXAMPLES} (data/nlu/{lang}/{topic}.yml)",
                    where,
                )
            kept = heldout.get(topic, {}).get(lang, [])
            if len(kept) < MIN_HELDOUT_EXAMPLES:
                where = next(
                    (e.place for e in written.get(topic, {}).get(lang, []) if e.place.path.startswith("eval/")), here
                )
                yield problem(
                    f"topic '{topic}' has {len(kept)} {LANGUAGE_NAMES[lang]} held-out examples, needs "
                    f"at least {MIN_HELDOUT_EXAMPLES} (eval/nlu/heldout_{lang}.yml)",
                    where,
                )
        yield from _answer_problems(project, topic, here)
        rules = [r for r in project.rules if topic in r.intents]
        if not any(not r.in_form for r in rules):
            yield problem(f"topic '{topic}' has no rule that answers it (data/rules/topics.yml)")
        if not any(r.in_form for r in rules):
            yield problem(
                f"topic '{topic}' has no rule that answers it inside the group finder (data/rules/topics.yml)"
            )
        told = {s.language for s in project.test_stories if topic in s.intents}
        for lang in LANGUAGES:
            if lang not in told:
                yield problem(
                    f"topic '{topic}' has no {LANGUAGE_NAMES[lang]} test story "
                    f"(eval/stories/topics_{lang}.yml, a story named '... ({lang})')"
                )
    for name, place in project.intents.items():
        if place.path.startswith("domain/topics/") and name not in project.topics:
            yield Problem(place, f"topic '{name}' is not in the catalogue content/topics.yml", name)


def _answer_problems(project: Project, topic: str, here: Place) -> Iterable[Problem]:
    response = project.responses.get(f"utter_{topic}")
    if response is None:
        yield Problem(here, f"topic '{topic}' has no answer 'utter_{topic}' (domain/topics/{topic}.yml)", topic)
        return
    for lang in LANGUAGES:
        texts = [v.text for v in response.variants if v.language == lang]
        if not texts or not all(t.strip() for t in texts):
            yield Problem(
                response.place, f"topic '{topic}' has no {LANGUAGE_NAMES[lang]} answer in '{response.name}'", topic
            )
    if not any(v.language is None and v.text.strip() for v in response.variants):
        yield Problem(response.place, f"'{response.name}' has no default answer (a variant without condition)", topic)
    urgent_numbers = links.urgent_numbers(project.organisations)
    urgent_links = links.urgent_links(project.organisations)
    for variant in response.variants:
        numbers = links.phone_numbers(variant.text) - urgent_numbers
        if numbers:
            yield Problem(
                variant.place,
                f"topic answer '{response.name}' names {sorted(numbers)} itself; "
                "leave numbers to the signposts of content/topics.yml (only the "
                "emergency and crisis numbers of authoring/links.py URGENT may be named)",
                topic,
            )
        if any(links.normal_url(link) not in urgent_links for link in links.links(variant.text)):
            yield Problem(
                variant.place,
                f"topic answer '{response.name}' carries a link; leave links to the signposts of content/topics.yml",
                topic,
            )


# ------------------------------------------------------------- examples
def example_problems(project: Project) -> Iterable[Problem]:
    """Other intents have enough examples; no example trains two intents;
    held-out examples are never trained on."""
    grouped = project.by_intent(project.examples)
    for intent, place in project.intents.items():
        if intent in project.topics or intent in BUILTIN_INTENTS or intent in DETECTOR_INTENTS:
            continue
        for lang in LANGUAGES:
            count = len(grouped.get(intent, {}).get(lang, []))
            if count < MIN_OTHER_EXAMPLES:
                yield Problem(
                    place,
                    f"intent '{intent}' has {count} {LANGUAGE_NAMES[lang]} examples, needs at "
                    f"least {MIN_OTHER_EXAMPLES} (data/nlu/{lang}/{intent}.yml)",
                    intent,
                )
    owners: Dict[str, str] = {}
    for example in project.examples:
        text = plain(example.text)
        if owners.setdefault(text, example.intent) != example.intent:
            yield Problem(
                example.place,
                f"example '{example.text}' is trained under both '{owners[text]}' and '{example.intent}'",
                example.intent,
            )
    for example in project.heldout:
        if plain(example.text) in owners:
            yield Problem(
                example.place,
                f"held-out example '{example.text}' is also a training example (of '{owners[plain(example.text)]}')",
                example.intent,
            )


# -------------------------------------------------------------- orphans
def orphan_problems(project: Project) -> Iterable[Problem]:
    """Responses nothing sends, intents nothing answers, and retrieval
    intents (`group/id`) without their response or the other way round."""
    used_actions = {a for r in project.rules for a in r.actions} | set(relatives_notes(project).values())
    used_intents = {i for r in project.rules for i in r.intents}
    asked = {f"utter_ask_{slot}" for slot in _form_slots(project)}
    for name, response in project.responses.items():
        if name.startswith("utter_") and "/" in name:
            continue  # retrieval responses: checked below
        quoted = re.search(rf"[\"']{re.escape(name)}[\"']", project.action_code)
        if name not in used_actions and name not in asked and not quoted:
            yield Problem(response.place, f"response '{name}' is never used by a rule, story or action", name)
    for name, place in project.intents.items():
        if name not in used_intents and name not in BUILTIN_INTENTS:
            yield Problem(place, f"intent '{name}' has no rule or story (data/rules/)", name)
    retrieval = {e.intent: e.place for e in project.examples if "/" in e.intent}
    groups = {name.split("/")[0] for name in retrieval}
    for intent, place in retrieval.items():
        if f"utter_{intent}" not in project.responses:
            yield Problem(place, f"retrieval intent '{intent}' has no response 'utter_{intent}'", intent)
    for name, response in project.responses.items():
        if "/" in name:
            intent = name[len("utter_") :]
            if intent not in retrieval:
                yield Problem(
                    response.place, f"response '{name}' has no retrieval intent '{intent}' with examples", name
                )
    for group in sorted(groups):
        if group not in used_intents:
            place = next(p for i, p in retrieval.items() if i.split("/")[0] == group)
            yield Problem(place, f"retrieval intent '{group}' has no rule (e.g. {group} -> utter_{group})", group)


def relatives_notes(project: Project) -> Dict[str, str]:
    """Per topic, the note for relatives action_signpost sends after its
    answer (content/relatives.yml and the topic's `relatives_note`)."""
    spec = load(project.root / "content" / "relatives.yml")
    notes = {topic: note_response(topic, entry, spec) for topic, entry in project.topics.items()}
    return {topic: note for topic, note in notes.items() if note}


def relatives_problems(project: Project) -> Iterable[Problem]:
    """Every note for relatives that a topic sends is an answer of the domain."""
    for topic, note in relatives_notes(project).items():
        kind = (project.topics[topic] or {}).get("relatives_note")
        if kind not in (None, "own", "none"):
            yield Problem(
                project.topic_place(topic),
                f"topic '{topic}': relatives_note is '{kind}', use own, none or leave it out",
                topic,
            )
        elif note not in project.responses:
            yield Problem(
                project.topic_place(topic),
                f"topic '{topic}' sends the note '{note}' to relatives, but domain/relatives.yml has no such answer",
                topic,
            )


def _form_slots(project: Project) -> List[str]:
    slots = []
    for path in project.files("domain"):
        for form in ((load(path) or {}).get("forms") or {}).values():
            slots += list((form or {}).get("required_slots") or [])
    return slots


# -------------------------------------------------------------- answers
def answer_problems(project: Project) -> Iterable[Problem]:
    """Every answer's numbers and links are those of content/contacts.yml."""
    numbers = links.known_numbers(project.organisations)
    known = links.known_links(project.organisations)
    for response in project.responses.values():
        for variant in response.variants:
            for number in sorted(links.phone_numbers(variant.text) - numbers):
                yield Problem(
                    variant.place,
                    f"answer '{response.name}' has the phone number '{number}', which is not in content/contacts.yml",
                    response.name,
                )
            for link in sorted(links.links(variant.text)):
                if links.normal_url(link) not in known:
                    yield Problem(
                        variant.place,
                        f"answer '{response.name}' has the link '{link}', which is not in content/contacts.yml",
                        response.name,
                    )


def scores(project: Project) -> List[Dict]:
    """The readability of every Dutch and English answer variant."""
    rows = []
    for response in project.responses.values():
        for variant in response.variants:
            if variant.language in LANGUAGES:
                result = readability.score(variant.text, variant.language)
                rows.append(
                    {
                        "response": response.name,
                        "language": variant.language,
                        "country": variant.country or "",
                        "score": result.score,
                        "words": result.words,
                        "sentences": result.sentences,
                        "place": str(variant.place),
                    }
                )
    return rows


def readability_problems(project: Project) -> Iterable[Problem]:
    """Answers below their language's readability target."""
    goal = targets(project)
    for row in scores(project):
        lang = row["language"]
        if row["score"] < goal[lang]:
            path, line = row["place"].rsplit(":", 1)
            formula = "Flesch-Douma" if lang == "nl" else "Flesch"
            yield Problem(
                Place(path, int(line)),
                f"{LANGUAGE_NAMES[lang]} answer '{row['response']}' scores {row['score']:.1f} "
                f"({formula}), target ≥ {goal[lang]:.0f}: use shorter sentences and shorter words",
                row["response"],
            )


def summary_problems(project: Project) -> Iterable[Problem]:
    """Every topic answer starts with a short, readable two-sentence summary
    (authoring/summaries.py)."""
    for place, text, subject in summaries.problems(project, targets(project)):
        yield Problem(place, text, subject)


# --------------------------------------------------------------- wording
# The rules of content/wording.yml. Each rule is a function of the responses,
# the rules and the contacts, so a test can also run it on a broken example
# made in memory; the `*_problems(project)` functions run it on the project.
def wording(project: Project) -> Dict:
    """content/wording.yml (no rules when the file is missing)."""
    path = project.root / "content" / "wording.yml"
    return (load(path) or {}) if path.exists() else {}


def says(text: str, phrases: Iterable[str]) -> Optional[str]:
    """The first phrase a text says: any case, at the start of a word (a
    phrase may end inside a word: "suicid" finds "suicidal")."""
    for phrase in phrases or []:
        if re.search(r"(?<!\w)" + re.escape(str(phrase)), text, re.IGNORECASE):
            return str(phrase)
    return None


def names(text: str, routes: Iterable[str]) -> List[str]:
    """The routes a text names: whole words, exactly as written ("REACH",
    not "reach")."""
    return [str(r) for r in routes or [] if re.search(r"(?<!\w)" + re.escape(str(r)) + r"(?!\w)", text)]


def own_variants(response: Response) -> List[Variant]:
    """A response's variants, less a default that repeats a conditioned
    variant's text (the YAML anchor): that text is checked once, as the
    conditioned variant."""
    conditioned = {v.text for v in response.variants if v.language or v.country}
    return [v for v in response.variants if v.language or v.country or v.text not in conditioned]


def _languages(variant: Variant) -> List[str]:
    return [variant.language] if variant.language else list(LANGUAGES)


def _pair(variant: Variant) -> str:
    return f"{variant.language or 'any'}-{variant.country or 'any'}"


def _place(root: Optional[Path], variant: Variant, needle: str) -> Place:
    """The line of a variant's text where a phrase is, else the variant's."""
    path = Path(root) / variant.place.path if root else None
    if path is None or not path.is_file():
        return variant.place
    lines = path.read_text(encoding="utf-8").splitlines()
    first = variant.place.line - 1
    for number in range(first, min(len(lines), first + variant.text.count("\n") + 2)):
        if needle.lower() in lines[number].lower():
            return Place(variant.place.path, number + 1)
    return variant.place


def banned_wording(responses: Iterable[Response], rules: Dict, root: Optional[Path] = None) -> Iterable[Problem]:
    """Phrases an answer must not use (wording.yml `banned`), each with its reason."""
    for response in responses:
        for variant in own_variants(response):
            for lang in _languages(variant):
                for entry in (rules.get("banned") or {}).get(lang) or []:
                    if any(response.name.startswith(p) for p in entry.get("except") or []):
                        continue
                    phrase = says(variant.text, [entry["phrase"]])
                    if phrase:
                        yield Problem(
                            _place(root, variant, phrase),
                            f"answer '{response.name}' says '{phrase}': {entry['reason']} (content/wording.yml)",
                            response.name,
                        )


def _missing(text: str, numbers: Iterable[str], sites: Iterable[str]) -> List[str]:
    said = links.phone_numbers(text)
    linked = {links.normal_url(link).split("/")[0] for link in links.links(text)}
    return sorted(n for n in numbers if n not in said) + sorted(s for s in sites if s not in linked)


def _needed(organisations: Dict, kinds: Iterable[str], country: str) -> Tuple[List[str], List[str]]:
    """Numbers and sites of the urgent contacts of some kinds in a country."""
    numbers = set().union(*(links.urgent_numbers(organisations, kind, country) for kind in kinds))
    ids = [o for kind in kinds for o in links.urgent(organisations, kind, country)]
    sites = {
        links.normal_url(str(organisations[o]["chat_url"])).split("/")[0]
        for o in ids
        if organisations[o].get("chat_url")
    }
    return sorted(numbers), sorted(sites)


def _countries(rules: Dict, organisations: Dict) -> List[str]:
    return sorted(rules.get("country_routes") or {c for o in organisations.values() if (c := o.get("country"))})


def _numbers_rule(
    responses: Iterable[Response],
    rules: Dict,
    organisations: Dict,
    key: str,
    kinds: Tuple[str, ...],
    what: str,
    root: Optional[Path],
) -> Iterable[Problem]:
    """An answer that says one of wording.yml `key` must be conditioned on
    country and carry that country's urgent numbers of `kinds`."""
    countries, phrases = _countries(rules, organisations), rules.get(key) or {}
    for response in responses:
        for variant in own_variants(response):
            phrase = next(
                filter(None, (says(variant.text, phrases.get(lang) or []) for lang in _languages(variant))), None
            )
            if not phrase:
                continue
            place = _place(root, variant, phrase)
            if variant.country is None and variant.language is not None:
                yield Problem(
                    place,
                    f"answer '{response.name}' speaks of {what} ('{phrase}') but is not "
                    "conditioned on country: give it a variant per language and country, each "
                    "with its country's numbers",
                    response.name,
                )
                continue
            for country in [variant.country] if variant.country else countries:
                missing = _missing(variant.text, *_needed(organisations, kinds, country))
                if missing:
                    yield Problem(
                        place,
                        f"answer '{response.name}' ({_pair(variant)}) speaks of {what} "
                        f"('{phrase}') but does not name {', '.join(missing)} for {country} "
                        "(content/contacts.yml)",
                        response.name,
                    )


def crisis_wording(
    responses: Iterable[Response], rules: Dict, organisations: Dict, root: Optional[Path] = None
) -> Iterable[Problem]:
    """An answer that speaks of not wanting to live (wording.yml
    `crisis_phrases`) carries its country's crisis and emergency numbers."""
    return _numbers_rule(
        responses,
        rules,
        organisations,
        "crisis_phrases",
        ("crisis", "emergency"),
        "thoughts of not wanting to live",
        root,
    )


def emergency_wording(
    responses: Iterable[Response], rules: Dict, organisations: Dict, root: Optional[Path] = None
) -> Iterable[Problem]:
    """An answer that says it is not for emergencies (wording.yml
    `not_an_emergency`) names its country's emergency (and advice) number."""
    return _numbers_rule(
        responses,
        rules,
        organisations,
        "not_an_emergency",
        ("emergency", "advice"),
        "a service that is not for emergencies",
        root,
    )


def route_wording(responses: Iterable[Response], rules: Dict, root: Optional[Path] = None) -> Iterable[Problem]:
    """Country routes (wording.yml `country_routes`) only in the variants of
    their country: never in a variant conditioned on language only."""
    routes = rules.get("country_routes") or {}
    allowed = {
        pair: {e["route"] for e in entries or []}
        for pair, entries in (rules.get("allowed_other_country") or {}).items()
    }
    for response in responses:
        for variant in own_variants(response):
            named = {country: names(variant.text, markers) for country, markers in routes.items()}
            named = {c: found for c, found in named.items() if found}
            if variant.country is None:
                if not named or (variant.language is None and len(named) == len(routes)):
                    continue  # nothing country-specific, or a default for every country at once
                for country, found in sorted(named.items()):
                    yield Problem(
                        _place(root, variant, found[0]),
                        f"answer '{response.name}' ({_pair(variant)}) names {', '.join(found)} of "
                        f"{country} but is not conditioned on country: give it a variant per language "
                        "and country, each with the routes of its country",
                        response.name,
                    )
                continue
            for country, found in sorted(named.items()):
                wrong = [r for r in found if r not in allowed.get(_pair(variant), set())]
                if country != variant.country and wrong:
                    yield Problem(
                        _place(root, variant, wrong[0]),
                        f"answer '{response.name}' ({_pair(variant)}) names {', '.join(wrong)} of "
                        f"{country}, which a user in {variant.country} cannot use (allow it in "
                        "content/wording.yml allowed_other_country if it is meant)",
                        response.name,
                    )


def required_wording(responses: Iterable[Response], rules: Dict) -> Iterable[Problem]:
    """What an answer must say (wording.yml `required`), each with its reason."""
    for entry in rules.get("required") or []:
        patterns = [str(p) for p in entry.get("responses") or []]
        for response in responses:
            if not any(response.name == p or (p.endswith("*") and response.name.startswith(p[:-1])) for p in patterns):
                continue
            for variant in response.variants:
                lang = variant.language
                say = (entry.get("say") or {}).get(lang)
                if lang is None or not say:
                    continue
                when = (entry.get("when") or {}).get(lang)
                if entry.get("when") and not (when and says(variant.text, when)):
                    continue
                if not says(variant.text, say):
                    yield Problem(
                        variant.place,
                        f"answer '{response.name}' ({_pair(variant)}) must say one of "
                        f"{list(say)}: {entry['reason']} (content/wording.yml)",
                        response.name,
                    )


def wording_problems(project: Project) -> Iterable[Problem]:
    """Every rule of content/wording.yml on every answer of domain/."""
    rules, responses = wording(project), list(project.responses.values())
    yield from banned_wording(responses, rules, project.root)
    yield from crisis_wording(responses, rules, project.organisations, project.root)
    yield from emergency_wording(responses, rules, project.organisations, project.root)
    yield from route_wording(responses, rules, project.root)
    yield from required_wording(responses, rules)
    # The summaries follow the same words and routes as their answers.
    shown_first = summaries.as_responses(project)
    yield from banned_wording(shown_first, rules, project.root)
    yield from route_wording(shown_first, rules, project.root)


# ---------------------------------------------------------- placeholders
def placeholder_problems(project: Project) -> Iterable[Problem]:
    """Every TODO left by the scaffold (or anyone)."""
    for folder in PLACEHOLDER_FOLDERS:
        for path in project.files(folder):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if PLACEHOLDER.search(line):
                    yield Problem(project.place(path, number), f"TODO left: {line.strip()[:70]}")


# ---------------------------------------------------- clinical review
def review_problems(project: Project) -> Iterable[Problem]:
    """Every response has its sources (content/sources.yml), every entry
    names a response, quotes stand at their lines of ../shared/sources (when
    it is there), and docs/clinical-review.md is up to date. The rules live
    in authoring/review_sheet.py."""
    for place, message, subject in review_sheet.problems(project):
        yield Problem(place, message, subject)


CHECKS: List[Callable[[Project], Iterable[Problem]]] = [
    placeholder_problems,
    topic_problems,
    example_problems,
    orphan_problems,
    answer_problems,
    readability_problems,
    summary_problems,
    relatives_problems,
    review_problems,
    wording_problems,
]


def problems(project: Optional[Project] = None) -> List[Problem]:
    """Every problem of the project's content (empty when all is well)."""
    project = project or Project()
    try:
        return [p for check in CHECKS for p in check(project)]
    except YamlError as error:
        path, line, message = str(error).split(":", 2)
        return [
            Problem(
                Place(Path(path).resolve().relative_to(project.root.resolve()).as_posix(), int(line)), message.strip()
            )
        ]


def report(rows: List[Dict], out=sys.stdout) -> None:
    """Every score, then min/median/max per language."""
    for row in sorted(rows, key=lambda r: (r["language"], r["score"])):
        out.write(
            f"{row['language']}  {row['score']:6.1f}  {row['response']}"
            f"{' (' + row['country'] + ')' if row['country'] else ''}  {row['place']}\n"
        )
    for lang in LANGUAGES:
        values = [r["score"] for r in rows if r["language"] == lang]
        if values:
            formula = "Flesch-Douma" if lang == "nl" else "Flesch"
            out.write(
                f"{LANGUAGE_NAMES[lang]} ({formula}, {len(values)} answers): min {min(values):.1f}, "
                f"median {statistics.median(values):.1f}, max {max(values):.1f}\n"
            )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authoring.check", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this project)")
    parser.add_argument("--report", action="store_true", help="print the readability score of every answer")
    parser.add_argument("--csv", type=Path, help="write the readability scores to this CSV file")
    args = parser.parse_args(argv)
    if not (args.root / "content" / "topics.yml").exists():
        parser.error(f"{args.root} is not the project folder (no content/topics.yml)")
    project = Project(args.root)
    found = problems(project)
    if args.report or args.csv:
        rows = scores(project)
        if args.report:
            report(rows)
        if args.csv:
            with args.csv.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
            print(f"scores written to {args.csv}")
    for problem in found:
        print(problem)
    print(f"content check: {len(found)} problem(s)" if found else "content check: all good")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
