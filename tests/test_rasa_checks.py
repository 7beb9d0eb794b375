"""Rasa's own checks: the data validates without a single warning, and every
test story (tests/stories) is predicted exactly, with
--fail-on-prediction-errors."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, rasa_env

RASA = str(ROOT / ".venv" / "bin" / "rasa")


def test_data_validates_without_warnings() -> None:
    result = subprocess.run(
        [RASA, "data", "validate", "--domain", "domain", "--data", "data", "--fail-on-warnings"],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True,
    )
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if "UserWarning" in line or "WARNING" in line]
    assert result.returncode == 0, output[-3000:]
    assert warnings == []


def test_every_test_story_passes(model_path: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [RASA, "test", "core", "--model", str(model_path), "--stories", "tests/stories",
         "--fail-on-prediction-errors", "--out", str(tmp_path)],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, (tmp_path / "failed_test_stories.yml").read_text() if (
        tmp_path / "failed_test_stories.yml").exists() else output[-3000:]
    counts = re.findall(r"Correct:\s+(\d+) / (\d+)", output)
    assert counts and all(a == b for a, b in counts), counts
    sys.stdout.write(f"\ntest stories: {counts[0][0]} / {counts[0][1]} correct\n")
