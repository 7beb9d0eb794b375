"""The clinical review sheet (authoring/review_sheet.py, docs/clinical-review.md):
the committed sheet is what the content gives, every response has its
sources, a sign-off holds only for the text it was given for, and the
content check names a missing source entry or a wrong quote line by file and
line. Breakages happen in temporary copies (tests/authoring_copy.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from authoring import review_sheet
from authoring.check import problems
from authoring.project import Project
from authoring.review_sheet import SHEET, SIGNOFF, SOURCES, build, read_sources, text_hash
from tests.authoring_copy import copy_project, line_of, replace_in
from tests.conftest import ROOT, SHARED, rasa_env

SHARED_SOURCES = SHARED / "sources"
needs_sources = pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason="../shared/sources is not beside this clone")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def messages(root: Path) -> List[str]:
    return [str(p) for p in problems(Project(root))]


def review_messages(root: Path) -> List[str]:
    return [f"{place}: {message}" for place, message, _ in review_sheet.problems(Project(root))]


def entry_line(root: Path, response: str, needle: str) -> int:
    """The line of content/sources.yml, within a response's entry, that contains a text."""
    lines = (root / SOURCES).read_text(encoding="utf-8").splitlines()
    start = lines.index(f"{response}:")
    return next(n for n in range(start, len(lines)) if needle in lines[n]) + 1


def edit_entry(root: Path, response: str, old: str, new: str) -> int:
    """Change a text in one line of a response's entry in content/sources.yml; its line."""
    path, line = root / SOURCES, entry_line(root, response, old)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = lines[line - 1].replace(old, new)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return line


def english(root: Path, response: str):
    return next(v for v in Project(root).responses[response].variants if v.language == "en" and not v.country)


# ------------------------------------------------------------ the real project
def test_the_committed_sheet_is_what_the_content_gives() -> None:
    committed = (ROOT / SHEET).read_text(encoding="utf-8")
    assert committed == build(Project(ROOT)), "docs/clinical-review.md is out of date: run make review-sheet"
    result = subprocess.run(
        [sys.executable, "-m", "authoring.review_sheet", "--check"],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_sheet_shows_every_variant_once() -> None:
    project = Project(ROOT)
    sheet = build(project)
    for name, response in project.responses.items():
        assert f"\n### {name}\n" in sheet
        for variant in response.variants:
            assert f"`{text_hash(variant.text)}` |" in sheet, (name, variant.language, variant.country)
    rows = [
        line for line in sheet.splitlines() if line.startswith("| ") and not line.startswith(("| language", "| ---"))
    ]
    assert len(rows) == sum(len(r.variants) for r in project.responses.values())


def test_every_response_has_sources_and_every_entry_a_response() -> None:
    project = Project(ROOT)
    raw, sources = read_sources(project)
    assert sorted(set(project.responses) - set(raw)) == []
    assert sorted(set(raw) - set(project.responses)) == []
    assert all(len(s.quote) <= review_sheet.QUOTE_MAX for listed in sources.values() for s in listed)
    topics = [n for n, r in project.responses.items() if r.place.path.startswith("domain/topics/")]
    assert all(sources[name] for name in topics), "a topic answer always has sources"


@needs_sources
def test_every_quote_stands_at_its_line() -> None:
    found = [m for m in review_messages(ROOT) if "is not at line" in m or "no file" in m]
    assert found == [], "\n".join(found)


# ------------------------------------------------------------------ sign-off
def test_a_signoff_holds_until_the_text_changes(copy: Path) -> None:
    variant = english(copy, "utter_hair_loss")
    (copy / SIGNOFF).write_text(
        f"- {{response: utter_hair_loss, language: en, text_sha256: '{text_hash(variant.text)}', "
        f"reviewer: Dr Test, date: 2025-01-31}}\n",
        encoding="utf-8",
    )
    section = hair_loss_section(build(Project(copy)))
    assert "| en | — |" in section and "signed off by Dr Test, 2025-01-31 |" in section
    assert "signed off by Dr Test, 2025-01-31 (same text as en) |" in section  # the default row
    assert re.search(r"\| nl \| — \| .* \| not reviewed \|", section)

    first = variant.text.splitlines()[0]
    replace_in(copy / variant.place.path, first, first + " Hair grows back.")
    section = hair_loss_section(build(Project(copy)))
    assert "signed off by" not in section
    assert section.count("changed since sign-off — review again") == 2  # en and the default


def hair_loss_section(sheet: str) -> str:
    start = sheet.index("\n### utter_hair_loss\n")
    return sheet[start : sheet.index("\n### ", start + 1)]


def test_hash_prints_what_to_paste(copy: Path, capsys) -> None:
    assert review_sheet.main(["--root", str(copy), "--hash", "utter_hair_loss", "en"]) == 0
    assert capsys.readouterr().out.strip() == text_hash(english(copy, "utter_hair_loss").text)
    assert review_sheet.main(["--root", str(copy), "--hash", "utter_hair_loss", "en", "XX"]) == 2
    assert "has no variant 'en XX'" in capsys.readouterr().err


# ------------------------------------------------------------- the check
def test_a_missing_source_entry_is_named_by_file_and_line(copy: Path) -> None:
    path = copy / SOURCES
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^utter_hair_loss:\n(?:  .*\n)+", "", text, flags=re.M), encoding="utf-8")
    line = line_of(copy / "domain/topics/hair_loss.yml", "utter_hair_loss:")
    expected = f"domain/topics/hair_loss.yml:{line}: response 'utter_hair_loss' has no entry in content/sources.yml"
    assert any(m.startswith(expected) for m in messages(copy)), "\n".join(messages(copy))


def test_an_entry_for_no_response_is_named(copy: Path) -> None:
    path = copy / SOURCES
    path.write_text(path.read_text(encoding="utf-8") + "utter_gone: []\n", encoding="utf-8")
    line = line_of(path, "utter_gone:")
    assert (
        f"content/sources.yml:{line}: content/sources.yml lists 'utter_gone', which is not a response of "
        "domain/" in messages(copy)
    )


def test_a_malformed_entry_is_named(copy: Path) -> None:
    line = edit_entry(copy, "utter_hair_loss", "I have started to lose my hair", "x" * 81)
    assert f"content/sources.yml:{line}: a source of 'utter_hair_loss': quote is 81 characters, at most 80" in messages(
        copy
    )


@needs_sources
def test_a_wrong_quote_line_is_caught(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    shutil.copytree(SHARED_SOURCES, tmp_path / "shared" / "sources")
    line = entry_line(root, "utter_hair_loss", "I have started to lose my hair")
    stated = int(re.search(r"line: (\d+)", (root / SOURCES).read_text(encoding="utf-8").splitlines()[line - 1])[1])
    assert review_messages(root) == []
    edit_entry(root, "utter_hair_loss", f"line: {stated},", f"line: {stated + 2},")  # within ±2: fine
    assert review_messages(root) == []
    edit_entry(root, "utter_hair_loss", f"line: {stated + 2},", f"line: {stated + 3},")
    expected = (
        f"content/sources.yml:{line}: a source of 'utter_hair_loss': \"I have started to lose my hair\" "
        f"is not at line {stated + 3} of 003 (it is on line {stated})"
    )
    assert expected in messages(root)


def test_without_the_shared_folder_only_the_quotes_go_unchecked(copy: Path) -> None:
    assert not (copy.parent / "shared").exists()
    replace_in(copy / SOURCES, 'quote: "I have started to lose my hair"', 'quote: "not in any source"')
    assert review_messages(copy) == []
    (copy / SOURCES).write_text((copy / SOURCES).read_text(encoding="utf-8") + "utter_gone: []\n", encoding="utf-8")
    assert any("'utter_gone'" in m for m in review_messages(copy))


def test_an_out_of_date_sheet_is_a_problem(copy: Path) -> None:
    (copy / "docs").mkdir()
    assert review_sheet.main(["--root", str(copy)]) == 0
    assert review_messages(copy) == [] and review_sheet.main(["--root", str(copy), "--check"]) == 0
    first = english(copy, "utter_hair_loss").text.splitlines()[0]
    replace_in(copy / "domain/topics/hair_loss.yml", first, first + " Hair grows back.")
    assert "docs/clinical-review.md:1: docs/clinical-review.md is out of date: run make review-sheet" in messages(copy)
    assert review_sheet.main(["--root", str(copy), "--check"]) == 1


def test_a_signoff_for_no_variant_is_named(copy: Path) -> None:
    (copy / SIGNOFF).write_text(
        "- {response: utter_hair_loss, language: en, country: XX, text_sha256: '000000000000', "
        "reviewer: Dr Test, date: 2025-01-31}\n- {response: utter_hair_loss, language: en}\n",
        encoding="utf-8",
    )
    found = review_messages(copy)
    assert (
        "content/clinical_signoff.yml:1: sign-off for 'utter_hair_loss' en XX: no such variant "
        "(it has: nl, en, default)" in found
    )
    assert "content/clinical_signoff.yml:2: sign-off lacks text_sha256, reviewer, date" in found
