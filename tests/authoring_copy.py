"""A temporary copy of the project's content, for tests that change it
(the real tree is never modified)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT

CONTENT_PARTS = ("config.yml", "content", "domain", "data", "actions", "eval/stories", "eval/nlu")


def copy_project(target: Path) -> Path:
    """Copy what the content check, the scaffold and training read."""
    for part in CONTENT_PARTS:
        source, dest = ROOT / part, target / part
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest)
    return target


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line containing a text."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace a text that must occur in a file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
