"""Create a new information topic, ready to fill in, wired like the others:

    .venv/bin/python -m authoring.scaffold pet_visits --title-nl "Huisdieren" --title-en "Pets"

It writes the NLU example files (data/nlu/nl|en/<id>.yml), the answer
(domain/topics/<id>.yml) and adds the topic to content/topics.yml, the
answer's sources to content/sources.yml (for the clinical review sheet), its two
rules to data/rules/topics.yml, a test story per language to
eval/stories/topics_<lang>.yml and held-out examples to
eval/nlu/heldout_<lang>.yml. Every text to write is marked TODO; the
content check (`make check-content`) fails until none is left."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional

from authoring.check import MIN_HELDOUT_EXAMPLES, MIN_TOPIC_EXAMPLES
from authoring.project import LANGUAGE_NAMES, LANGUAGES, ROOT, Project
from authoring.yaml_lines import YamlError

TOPIC_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
DEFAULT_SIGNPOSTS = {"UK": ["sepsis_trust_helpline"], "NL": ["sepsis_en_daarna"]}
ASK = {"nl": "een vraag over", "en": "a question about"}


class ScaffoldError(ValueError):
    """The topic cannot be created (the message says why)."""


def validate(project: Project, topic: str) -> None:
    """Refuse an id that is malformed or already in use anywhere."""
    if not TOPIC_ID.match(topic or "") or len(topic) > 40:
        raise ScaffoldError(
            f"'{topic}' is not a valid topic id: use lower-case letters, digits and single underscores, "
            "starting with a letter, at most 40 characters (for example: pet_visits)"
        )
    if topic in project.topics:
        raise ScaffoldError(
            f"topic '{topic}' already exists ({project.topic_place(topic)}); "
            "choose another id or edit the existing topic"
        )
    if topic in project.intents:
        raise ScaffoldError(f"'{topic}' is already an intent ({project.intents[topic]}); choose another id")
    for path in new_files(project, topic):
        if path.exists():
            raise ScaffoldError(f"{project.rel(path)} already exists; choose another id")


def new_files(project: Project, topic: str) -> List[Path]:
    return [project.root / "data" / "nlu" / lang / f"{topic}.yml" for lang in LANGUAGES] + [
        project.root / "domain" / "topics" / f"{topic}.yml"
    ]


def nlu_file(topic: str, title: str, lang: str) -> str:
    todo = "\n".join(f"    - TODO {ASK[lang]} {title} ({n})" for n in range(1, MIN_TOPIC_EXAMPLES + 1))
    return (
        f'version: "3.1"\n'
        f"# {LANGUAGE_NAMES[lang]} examples of the topic '{topic}': questions as people type them.\n"
        f"# Replace each placeholder line by a real, different question; keep at least {MIN_TOPIC_EXAMPLES}.\n"
        f"nlu:\n- intent: {topic}\n  metadata:\n    language: {lang}\n  examples: |\n{todo}\n"
    )


def domain_file(topic: str, titles: Dict[str, str]) -> str:
    variants = {
        "nl": f"TODO: het Nederlandse antwoord over {titles['nl']}. Korte zinnen en gewone woorden.",
        "en": f"TODO: the English answer about {titles['en']}. Short sentences and everyday words.",
    }
    summaries = {
        "nl": f"TODO: de kern over {titles['nl']} in één korte zin. TODO: wat je kunt doen, in een tweede zin.",
        "en": f"TODO: the gist about {titles['en']} in one short sentence. TODO: what to do, in a second one.",
    }
    return (
        f'version: "3.1"\n'
        f"# The answer of the topic '{topic}': Dutch (nl), English (en), and a default\n"
        f"# (the English text again, through the &anchor / *alias). No phone numbers or links:\n"
        f"# the signposts of content/topics.yml add them. Each variant starts with a\n"
        f"# two-sentence summary (metadata.summary), which the chat shows first.\n"
        f"intents:\n  - {topic}\nresponses:\n  utter_{topic}:\n"
        f"    - condition:\n        - type: slot\n          name: language\n          value: nl\n"
        f"      metadata:\n        summary: >-\n          {summaries['nl']}\n"
        f"      text: |-\n        {variants['nl']}\n"
        f"    - condition:\n        - type: slot\n          name: language\n          value: en\n"
        f"      metadata:\n        summary: &utter_{topic}_en_summary >-\n          {summaries['en']}\n"
        f"      text: &utter_{topic}_en |-\n        {variants['en']}\n"
        f"    - metadata:\n        summary: *utter_{topic}_en_summary\n"
        f"      text: *utter_{topic}_en\n"
    )


def rules_block(topic: str) -> str:
    return (
        f"\n- rule: answer {topic}\n  steps:\n  - intent: {topic}\n  - action: utter_{topic}\n"
        f"  - action: action_signpost\n  - action: utter_ask_feedback\n"
        f"\n- rule: answer {topic} inside the group finder\n  condition:\n  - active_loop: support_group_form\n"
        f"  steps:\n  - intent: {topic}\n  - action: utter_{topic}\n  - action: action_signpost\n"
        f"  - action: support_group_form\n  - active_loop: support_group_form\n"
    )


def story_block(topic: str, title: str, lang: str) -> str:
    return (
        f"\n- story: {topic} ({lang})\n  steps:\n  - user: |\n      TODO {ASK[lang]} {title}\n"
        f"    intent: {topic}\n  - action: utter_{topic}\n  - action: action_signpost\n"
        f"  - action: utter_ask_feedback\n"
    )


def heldout_block(topic: str, title: str, lang: str) -> str:
    todo = "\n".join(
        f"    - TODO {ASK[lang]} {title}, never used in data/nlu (held-out {n})"
        for n in range(1, MIN_HELDOUT_EXAMPLES + 1)
    )
    return f"- intent: {topic}\n  metadata:\n    language: {lang}\n  examples: |\n{todo}\n"


def catalogue_block(topic: str, titles: Dict[str, str], signposts: Dict[str, List[str]]) -> str:
    posts = ", ".join(f"{country}: [{', '.join(ids)}]" for country, ids in signposts.items())
    return (
        f"  {topic}:   # check the signposts: organisation ids of content/contacts.yml\n"
        f"    title: {{en: {json.dumps(titles['en'], ensure_ascii=False)}, "
        f"nl: {json.dumps(titles['nl'], ensure_ascii=False)}}}\n"
        f"    signposts: {{{posts}}}\n"
    )


def sources_block(topic: str) -> str:
    return (
        f"utter_{topic}:   # TODO: the sources of this answer, as at the top of this file "
        f"([] only for conversation)\n  []\n"
    )


def append(path: Path, text: str) -> None:
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if current and not current.endswith("\n"):
        current += "\n"
    path.write_text(current + text, encoding="utf-8")


def scaffold(
    project: Project, topic: str, titles: Dict[str, str], signposts: Optional[Dict[str, List[str]]] = None
) -> List[str]:
    """Create the topic's files; returns the files written or changed."""
    validate(project, topic)
    for lang in LANGUAGES:
        title = (titles.get(lang) or "").strip()
        if not title or "\n" in title:
            titles[lang] = f"TODO {LANGUAGE_NAMES[lang]} title"
        else:
            titles[lang] = title
    signposts = signposts or DEFAULT_SIGNPOSTS
    root = project.root
    touched: List[Path] = []
    for lang in LANGUAGES:
        path = root / "data" / "nlu" / lang / f"{topic}.yml"
        path.write_text(nlu_file(topic, titles[lang], lang), encoding="utf-8")
        touched.append(path)
    path = root / "domain" / "topics" / f"{topic}.yml"
    path.write_text(domain_file(topic, titles), encoding="utf-8")
    touched.append(path)
    additions = [
        (root / "content" / "topics.yml", catalogue_block(topic, titles, signposts)),
        (root / "content" / "sources.yml", sources_block(topic)),
        (root / "data" / "rules" / "topics.yml", rules_block(topic)),
    ]
    for lang in LANGUAGES:
        additions += [
            (root / "eval" / "stories" / f"topics_{lang}.yml", story_block(topic, titles[lang], lang)),
            (root / "eval" / "nlu" / f"heldout_{lang}.yml", heldout_block(topic, titles[lang], lang)),
        ]
    for path, text in additions:
        append(path, text)
        touched.append(path)
    return [project.rel(p) for p in touched]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authoring.scaffold", description=__doc__.splitlines()[0])
    parser.add_argument("topic", help="the new topic's id, e.g. pet_visits")
    parser.add_argument("--title-nl", default="", help="Dutch title (for buttons)")
    parser.add_argument("--title-en", default="", help="English title (for buttons)")
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this project)")
    args = parser.parse_args(argv)
    if not (args.root / "content" / "topics.yml").exists():
        parser.error(f"{args.root} is not the project folder (no content/topics.yml)")
    project = Project(args.root)
    try:
        written = scaffold(project, args.topic, {"nl": args.title_nl, "en": args.title_en})
    except (ScaffoldError, YamlError) as error:
        print(f"new topic refused: {error}", file=sys.stderr)
        return 2
    print(f"Created the topic '{args.topic}'. Fill in every TODO in:")
    for path in written:
        print(f"  {path}")
    print("Then run `make check-content` until it says all good (see docs/authoring.md).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
