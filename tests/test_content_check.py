"""The content check (authoring/check.py): the real project passes, and in a
temporary copy each kind of problem is caught and named by file and line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Callable, List

import pytest

from authoring.check import problems, scores
from authoring.project import Project
from authoring.readability import score, sentences, syllables
from tests.authoring_copy import copy_project, line_of, replace_in
from tests.conftest import ROOT, rasa_env


def test_the_real_project_passes() -> None:
    found = problems(Project(ROOT))
    assert found == [], "\n".join(map(str, found))


def test_the_command_exits_zero_and_reports_every_answer(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    result = subprocess.run(
        [sys.executable, "-m", "authoring.check", "--report", "--csv", str(out)],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "content check: all good" in result.stdout
    ranges = re.findall(
        r"^(Dutch|English) \((Flesch-Douma|Flesch), (\d+) answers\): min ([\d.]+), "
        r"median ([\d.]+), max ([\d.]+)$",
        result.stdout,
        re.M,
    )
    assert [r[0] for r in ranges] == ["Dutch", "English"]
    assert all(float(r[3]) >= 60 for r in ranges)
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("response,language,country,score") and len(rows) - 1 == len(scores(Project(ROOT)))
    sys.stdout.write("\n" + "\n".join(line for line in result.stdout.splitlines() if "answers)" in line) + "\n")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def messages(root: Path) -> List[str]:
    return [str(p) for p in problems(Project(root))]


def assert_caught(root: Path, expected: str) -> None:
    found = messages(root)
    assert any(m.startswith(expected) for m in found), f"{expected!r} not in:\n" + "\n".join(found)


def drop_examples(root: Path) -> str:
    path = root / "data/nlu/en/hair_loss.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().startswith("- ") and "intent" not in line)
    path.write_text("\n".join(lines[: first + 3]) + "\n", encoding="utf-8")
    return f"data/nlu/en/hair_loss.yml:{first + 1}: topic 'hair_loss' has 3 English examples, needs at least 25"


def drop_dutch_answer(root: Path) -> str:
    path = root / "domain/topics/sepsis_causes.yml"
    replace_in(path, "value: nl", "value: en")
    return (
        f"domain/topics/sepsis_causes.yml:{line_of(path, 'utter_sepsis_causes:')}: topic 'sepsis_causes' has no "
        "Dutch answer"
    )


def unknown_phone(root: Path) -> str:
    path = root / "domain/core.yml"
    replace_in(path, "Take good care of yourself.", "Take good care of yourself. Call 0800 123 4567.")
    return (
        f"domain/core.yml:{line_of(path, '0800 123 4567')}: answer 'utter_goodbye' has the phone number "
        "'0800 123 4567', which is not in content/contacts.yml"
    )


def unknown_link(root: Path) -> str:
    path = root / "domain/core.yml"
    replace_in(path, "Take good care of yourself.", "Take good care of yourself. See www.example.org/care.")
    return (
        f"domain/core.yml:{line_of(path, 'example.org')}: answer 'utter_goodbye' has the link "
        "'www.example.org/care', which is not in content/contacts.yml"
    )


def drop_dutch_story(root: Path) -> str:
    path = root / "eval/stories/topics_nl.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"- story: sepsis_causes \(nl\)\n(?:  .*\n)+", "", text), encoding="utf-8")
    line = line_of(root / "content/topics.yml", "  sepsis_causes:")
    return f"content/topics.yml:{line}: topic 'sepsis_causes' has no Dutch test story"


ORPHAN_RESPONSE = """version: "3.1"
responses:
  utter_never_sent:
    - condition: [{type: slot, name: language, value: nl}]
      text: "Dit stuurt niemand."
    - condition: [{type: slot, name: language, value: en}]
      text: &never_en "Nobody sends this."
    - text: *never_en
"""


def orphan_response(root: Path) -> str:
    (root / "domain/extra.yml").write_text(ORPHAN_RESPONSE, encoding="utf-8")
    return "domain/extra.yml:3: response 'utter_never_sent' is never used by a rule, story or action"


def orphan_intent(root: Path) -> str:
    (root / "domain/extra.yml").write_text('version: "3.1"\nintents:\n  - nobody_answers\n', encoding="utf-8")
    return "domain/extra.yml:3: intent 'nobody_answers' has no rule or story"


def orphan_retrieval_intent(root: Path) -> str:
    (root / "data/nlu/en/faq.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: faq/opening\n  metadata:\n    language: en\n  examples: |\n'
        "    - when are you open\n",
        encoding="utf-8",
    )
    return "data/nlu/en/faq.yml:7: retrieval intent 'faq/opening' has no response 'utter_faq/opening'"


def todo_left(root: Path) -> str:
    path = root / "domain/topics/sepsis_causes.yml"
    replace_in(path, "Ask your doctor where your infection started.", "TODO ask the nurse too")
    return f"domain/topics/sepsis_causes.yml:{line_of(path, 'TODO ask')}: TODO left"


def hard_english(root: Path) -> str:
    path = root / "domain/topics/sepsis_causes.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("In principle, any infection")
    end = text.index("Ask your doctor where your infection started.")
    hard = (
        "Theoretically, practically every conceivable infectious complication, irrespective of the "
        "microbiological aetiology, whether bacterial, viral or fungal, may precipitate a dysregulated "
        "systemic inflammatory response culminating in organ dysfunction.\n\n        "
    )
    path.write_text(text[:start] + hard + text[end:], encoding="utf-8")
    return (
        f"domain/topics/sepsis_causes.yml:{line_of(path, '&utter_sepsis_causes_en |')}: English answer "
        "'utter_sepsis_causes' scores"
    )


def banned_phrase(root: Path) -> str:
    path = root / "domain/topics/fatigue.yml"
    replace_in(
        path,
        "But you can learn ways to manage it.",
        "It often does not go away completely. But you can learn ways to manage it.",
    )
    return (
        f"domain/topics/fatigue.yml:{line_of(path, 'does not go away completely')}: answer 'utter_fatigue' "
        "says 'does not go away completely': says more than the sources"
    )


def crisis_number_missing(root: Path) -> str:
    path = root / "domain/topics/mental_health.yml"
    replace_in(path, "Bel 113 of gratis 0800-0113, of chat via 113.nl.", "Bel 113.")
    return (
        f"domain/topics/mental_health.yml:{line_of(path, 'met 113 Zelfmoordpreventie')}: answer "
        "'utter_mental_health' (nl-NL) speaks of thoughts of not wanting to live ('niet meer wilt leven') but "
        "does not name 0800-0113, 113.nl for NL"
    )


def emergency_number_missing(root: Path) -> str:
    path = root / "domain/topics/helpline.yml"
    replace_in(path, "Zie je alarmsignalen? Bel dan 112. ", "")
    return (
        f"domain/topics/helpline.yml:{line_of(path, 'geen hulpdiensten')}: answer 'utter_helpline' (nl-NL) "
        "speaks of a service that is not for emergencies ('geen hulpdienst') but does not name 112 for NL"
    )


def route_of_the_other_country(root: Path) -> str:
    path = root / "domain/topics/exercise.yml"
    replace_in(
        path,
        "Tell your physio about the REACH project.",
        "The NHS has exercises too. Tell your physio about the REACH project.",
    )
    return (
        f"domain/topics/exercise.yml:{line_of(path, 'The NHS has exercises too')}: answer 'utter_exercise' "
        "(en-NL) names NHS of UK, which a user in NL cannot use"
    )


CAUSES = "domain/topics/sepsis_causes.yml"
CAUSES_NL_SUMMARY = "Elke infectie kan tot sepsis leiden, en meestal komt het door gewone bacteriën. "


def summary_missing(root: Path) -> str:
    path = root / CAUSES
    text = path.read_text(encoding="utf-8")
    start = text.index("      metadata:\n")
    end = text.index("      text:", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return (
        f"{CAUSES}:{line_of(path, '- condition:')}: answer 'utter_sepsis_causes' has a variant without metadata.summary"
    )


def summary_of_one_sentence(root: Path) -> str:
    path = root / CAUSES
    replace_in(path, CAUSES_NL_SUMMARY, "")
    return f"{CAUSES}:{line_of(path, 'summary:')}: summary of 'utter_sepsis_causes' has 1 sentences on 1 line(s)"


def summary_too_long(root: Path) -> str:
    path = root / CAUSES
    replace_in(path, CAUSES_NL_SUMMARY, CAUSES_NL_SUMMARY.replace(".", ", " + "en nog meer " * 6 + "."))
    return f"{CAUSES}:{line_of(path, 'summary:')}: summary of 'utter_sepsis_causes' has 48 words, at most 40"


def summary_with_a_number(root: Path) -> str:
    path = root / CAUSES
    replace_in(path, "Vraag je arts waar", "Bel 112 of vraag je arts waar")
    return f"{CAUSES}:{line_of(path, 'summary:')}: summary of 'utter_sepsis_causes' has a phone number or link"


def summary_hard_to_read(root: Path) -> str:
    path = root / CAUSES
    replace_in(
        path,
        "Any infection can lead to sepsis, and the cause is most often a common germ.",
        "Theoretically every conceivable infectious complication may precipitate dysregulated systemic inflammation.",
    )
    return (
        f"{CAUSES}:{line_of(path, '&utter_sepsis_causes_en_summary')}: English summary of 'utter_sepsis_causes' scores"
    )


def summary_names_the_other_countrys_route(root: Path) -> str:
    path = root / "domain/topics/exercise.yml"
    replace_in(
        path, "summary: *utter_exercise_en_summary", 'summary: "The NHS can help you start. Ask your doctor first."'
    )
    line = line_of(path, "The NHS can help")
    return f"domain/topics/exercise.yml:{line}: answer 'utter_exercise (summary)' (en-NL) names NHS"


BREAKAGES: List[Callable[[Path], str]] = [
    drop_examples,
    drop_dutch_answer,
    unknown_phone,
    unknown_link,
    drop_dutch_story,
    orphan_response,
    orphan_intent,
    orphan_retrieval_intent,
    todo_left,
    hard_english,
    banned_phrase,
    crisis_number_missing,
    emergency_number_missing,
    route_of_the_other_country,
    summary_missing,
    summary_of_one_sentence,
    summary_too_long,
    summary_with_a_number,
    summary_hard_to_read,
    summary_names_the_other_countrys_route,
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__)
def test_each_problem_is_caught_with_file_and_line(copy: Path, breakage: Callable[[Path], str]) -> None:
    assert messages(copy) == []
    assert_caught(copy, breakage(copy))


def test_the_command_exits_non_zero_naming_the_problem(copy: Path) -> None:
    expected = todo_left(copy)
    result = subprocess.run(
        [sys.executable, "-m", "authoring.check", "--root", str(copy)],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert expected in result.stdout and "content check: 1 problem(s)" in result.stdout


def test_a_yaml_error_is_named_by_file_and_line(copy: Path) -> None:
    path = copy / "domain/topics/hair_loss.yml"
    path.write_text(path.read_text(encoding="utf-8") + "  broken: [\n", encoding="utf-8")
    found = messages(copy)
    assert len(found) == 1 and found[0].startswith("domain/topics/hair_loss.yml:") and "not valid YAML" in found[0]


@pytest.mark.parametrize(
    "word,language,count",
    [
        ("infection", "en", 3),
        ("recovery", "en", 4),
        ("tired", "en", 1),
        ("takes", "en", 1),
        ("area", "en", 2),
        ("ademhaling", "nl", 4),
        ("ziekenhuis", "nl", 3),
        ("ideeën", "nl", 3),
        ("vraag", "nl", 1),
    ],
)
def test_syllables(word: str, language: str, count: int) -> None:
    assert syllables(word, language) == count


def test_scores_follow_the_formulas() -> None:
    # 2 sentences, 7 words, 10 syllables (list items count as sentences; markdown goes)
    english = score("- **Rest** a lot.\n- Drink water every day.", "en")
    assert (english.sentences, english.words, english.syllables) == (2, 7, 10)
    assert english.score == round(206.835 - 1.015 * 3.5 - 84.6 * 10 / 7, 1)
    dutch = score("Rust veel. Drink [elke dag](https://x.nl) water.", "nl")
    assert (dutch.sentences, dutch.words, dutch.syllables) == (2, 6, 8)
    assert dutch.score == round(206.84 - 0.77 * 100 * 8 / 6 - 0.93 * 3, 1)
    assert sentences("Eén: twee.\n\n- drie\n- vier") == ["Eén:", "twee.", "drie", "vier"]
