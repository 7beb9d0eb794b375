"""A new topic, tried as a new content author would (docs/authoring.md): in a
temporary copy of the project, scaffold `pet_visits`, fill in the TODOs,
pass the content check, train a model there, and hear the new answer in
Dutch and in English. Also: the scaffold refuses an existing or a bad id."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from authoring.project import Project
from authoring.scaffold import ScaffoldError, scaffold
from tests.authoring_copy import copy_project
from tests.conftest import ROOT, rasa_env

TOPIC = "pet_visits"
EXAMPLES = {
    "nl": [
        "mag mijn hond op bezoek komen in het ziekenhuis",
        "mag ik mijn kat weer knuffelen na sepsis",
        "kan ik na sepsis gewoon weer met mijn huisdier omgaan",
        "mag mijn hond bij me op de afdeling komen",
        "is het veilig om de kattenbak te verschonen na sepsis",
        "mag ik de hond uitlaten nu ik net thuis ben",
        "mijn kat slaapt altijd bij mij in bed, mag dat nog",
        "kunnen huisdieren op bezoek op de IC",
        "ik mis mijn hond zo, mag hij langskomen in het ziekenhuis",
        "mag ik mijn konijn weer verzorgen",
        "kan ik een infectie krijgen van mijn hond",
        "mogen de kinderen de hond meenemen naar het ziekenhuis",
        "moet ik oppassen met mijn huisdieren na sepsis",
        "mijn hond likt mijn wond, is dat erg",
        "mag ik de vogelkooi schoonmaken",
        "huisdier op bezoek in het ziekenhuis",
        "mag ik met mijn paard naar buiten na de opname",
        "hoe zit het met huisdieren na sepsis",
        "mag de kat bij mij op schoot na de operatie",
        "mag mijn hamster op mijn kamer in het ziekenhuis",
        "is een huisdier een risico na sepsis",
        "mag ik mijn hond aaien als ik nog herstel",
        "kan mijn therapiehond mee naar de afdeling",
        "mijn vrouw wil de hond meenemen op bezoek, mag dat",
        "wat moet ik weten over huisdieren als ik net thuis ben uit het ziekenhuis",
    ],
    "en": [
        "can my dog visit me in hospital",
        "can I cuddle my cat again after sepsis",
        "is it safe to be around my pets after sepsis",
        "can my dog come onto the ward",
        "is it safe to clean the litter tray after sepsis",
        "can I walk the dog now that I'm home",
        "my cat always sleeps on my bed, is that still ok",
        "are pets allowed to visit in intensive care",
        "I miss my dog so much, can he come and see me in hospital",
        "can I look after my rabbit again",
        "can I catch an infection from my dog",
        "can the kids bring the dog to the hospital",
        "do I need to be careful with my pets after sepsis",
        "my dog licks my wound, is that bad",
        "can I clean out the bird cage",
        "pet visits in hospital",
        "can I ride my horse again after being in hospital",
        "what about pets after sepsis",
        "can the cat sit on my lap after my operation",
        "can my hamster stay in my hospital room",
        "are pets a risk after sepsis",
        "can I stroke my dog while I am still recovering",
        "can my therapy dog come to the ward",
        "my wife wants to bring the dog when she visits, is that allowed",
        "what should I know about pets when I just got home from hospital",
    ],
}
HELDOUT = {
    "nl": [
        "mag de hond mee op ziekenbezoek",
        "is mijn kat gevaarlijk voor mij na sepsis",
        "mag ik weer met de hond wandelen",
        "kan een huisdier mee naar de IC",
        "wat zijn de regels voor huisdieren in het ziekenhuis",
    ],
    "en": [
        "may the dog come when they visit me",
        "is my cat a danger to me after sepsis",
        "can I go for walks with the dog again",
        "can a pet come into the ICU",
        "what are the rules for pets in hospital",
    ],
}
STORY = {"nl": "mag mijn hond op bezoek komen in het ziekenhuis", "en": "can my dog visit me in hospital"}
ANSWER = {
    "nl": "Vraag op de afdeling of een huisdier op bezoek mag. Elk ziekenhuis heeft eigen regels.\n\n"
    "Thuis kun je meestal gewoon weer bij je huisdier zijn. Was je handen na het aaien en na de kattenbak.",
    "en": "Ask the ward staff if a pet may visit. Each hospital has its own rules.\n\n"
    "At home you can usually be with your pet again. Wash your hands after stroking it and after the "
    "litter tray.",
}
SUMMARY = {
    "nl": "Een huisdier mag soms op bezoek in het ziekenhuis. Vraag het op de afdeling en was thuis goed je handen.",
    "en": "A pet may sometimes visit you in hospital. Ask the ward, and wash your hands well at home.",
}
ASK = {"nl": "mag de kat op bezoek komen in het ziekenhuis", "en": "can the cat come and visit me in hospital"}
SOURCES = '  - {file: "003", line: 1, quote: "You or someone close to you may have had sepsis"}'


def fill_todos(path: Path, texts: Iterator[str]) -> None:
    """Replace each TODO line of a file by the next text, keeping the line's
    indentation and list dash, as the docs tell authors to do."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "TODO" in line and not line.lstrip().startswith("#"):
            prefix = line[: len(line) - len(line.lstrip())] + ("- " if line.lstrip().startswith("- ") else "")
            line = prefix + next(texts)
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def fill_answer(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for language, answer in ANSWER.items():
        todo = next(
            line
            for line in text.splitlines()
            if "TODO" in line and ("Nederlandse" in line if language == "nl" else "English" in line)
        )
        indent = todo[: len(todo) - len(todo.lstrip())]
        text = text.replace(todo, "\n".join(indent + line if line else "" for line in answer.splitlines()))
    path.write_text(text, encoding="utf-8")


def fill_summaries(path: Path) -> None:
    """Write the two-sentence summaries where the scaffold left their TODOs."""
    text = path.read_text(encoding="utf-8")
    for language, marker in (("nl", "TODO: de kern"), ("en", "TODO: the gist")):
        todo = next(line for line in text.splitlines() if marker in line)
        text = text.replace(todo, todo[: len(todo) - len(todo.lstrip())] + SUMMARY[language])
    path.write_text(text, encoding="utf-8")


def fill_sources(path: Path) -> None:
    """Name the answer's source where the scaffold left its TODO."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"utter_{TOPIC}:") and "TODO" in line)
    assert lines[at + 1].strip() == "[]"
    lines[at : at + 2] = [f"utter_{TOPIC}:", SOURCES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=rasa_env(), capture_output=True, text=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project with pet_visits scaffolded and filled in."""
    root = copy_project(tmp_path_factory.mktemp("new_topic") / "project")
    made = run(
        "authoring.scaffold",
        TOPIC,
        "--title-nl",
        "Huisdieren op bezoek",
        "--title-en",
        "Pets visiting",
        "--root",
        str(root),
        cwd=ROOT,
    )
    assert made.returncode == 0, made.stderr
    unfinished = run("authoring.check", "--root", str(root), cwd=ROOT)
    assert unfinished.returncode == 1 and "TODO left" in unfinished.stdout
    for language in ("nl", "en"):
        fill_todos(root / "data" / "nlu" / language / f"{TOPIC}.yml", iter(EXAMPLES[language]))
        fill_todos(root / "eval" / "nlu" / f"heldout_{language}.yml", iter(HELDOUT[language]))
        fill_todos(root / "eval" / "stories" / f"topics_{language}.yml", iter([STORY[language]]))
    fill_answer(root / "domain" / "topics" / f"{TOPIC}.yml")
    fill_summaries(root / "domain" / "topics" / f"{TOPIC}.yml")
    fill_sources(root / "content" / "sources.yml")
    return root


def test_scaffold_wires_the_topic_like_the_others(project: Path) -> None:
    content = Project(project)
    assert TOPIC in content.topics and TOPIC in content.intents
    rules = [r for r in content.rules if TOPIC in r.intents]
    assert sorted(r.in_form for r in rules) == [False, True]
    assert all(r.actions[:2] == [f"utter_{TOPIC}", "action_signpost"] for r in rules)
    assert {s.language for s in content.test_stories if TOPIC in s.intents} == {"nl", "en"}


def test_filled_topic_passes_the_content_check(project: Path) -> None:
    result = run("authoring.check", "--root", str(project), cwd=ROOT)
    assert result.returncode == 0, result.stdout
    assert "content check: all good" in result.stdout


def test_a_model_trained_there_answers_the_new_topic_in_both_languages(project: Path) -> None:
    out = project / "models"
    trained = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "rasa"),
            "train",
            "--domain",
            "domain",
            "--config",
            "config.yml",
            "--data",
            "data",
            "--out",
            str(out),
            "--fixed-model-name",
            "pet",
        ],
        cwd=project,
        env=rasa_env(),
        capture_output=True,
        text=True,
    )
    assert trained.returncode == 0, (trained.stdout + trained.stderr)[-3000:]
    from rasa.core.agent import Agent

    import rasa_ext
    from staff.heldout import quiet_logs

    quiet_logs()
    rasa_ext.install()  # as the Rasa server runs: the metadata's language starts the session
    agent = Agent.load(str(out / "pet.tar.gz"))
    for language in ("nl", "en"):
        parsed = asyncio.run(agent.parse_message(ASK[language]))
        assert parsed["intent"]["name"] == TOPIC, parsed["intent"]
        answers = asyncio.run(say(agent, ASK[language], language))
        assert answers and answers[0].get("text") == ANSWER[language], answers
        assert answers[0].get("response") == f"utter_{TOPIC}"


async def say(agent, text: str, language: str) -> List[Dict]:
    """What the bot answers to a first message with language metadata, as
    the REST channel passes it (channels/rest.py, rasa_ext/session.py). No action server runs
    here: the signposts after the answer fail and Rasa logs that; the answer
    itself is a plain response."""
    from rasa.core.channels.channel import UserMessage

    from chat.output import WholeMessageOutputChannel

    channel = WholeMessageOutputChannel()
    metadata = {"language": language}
    await agent.handle_message(UserMessage(text, channel, sender_id=f"pet-{language}", metadata=metadata))
    return channel.messages


def test_scaffold_refuses_an_existing_or_bad_id(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    before = {p: p.read_text(encoding="utf-8") for p in root.rglob("*.yml")}
    for bad, reason in [
        ("fatigue", "already exists (content/topics.yml:"),
        ("greet", "already an intent"),
        ("Pet-Visits", "not a valid topic id"),
        ("", "not a valid topic id"),
    ]:
        with pytest.raises(ScaffoldError, match=reason.replace("(", r"\(")):
            scaffold(Project(root), bad, {"nl": "x", "en": "y"})
    result = run("authoring.scaffold", "fatigue", "--root", str(root), cwd=ROOT)
    assert result.returncode == 2 and "topic 'fatigue' already exists" in result.stderr
    assert {p: p.read_text(encoding="utf-8") for p in root.rglob("*.yml")} == before
