"""Rasa's own checks: the data validates without a single warning, and every
test story (eval/stories) is predicted exactly, with
--fail-on-prediction-errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from authoring.check import DETECTOR_INTENTS, relatives_notes
from authoring.project import Project
from tests.conftest import ROOT, rasa_env

RASA = str(ROOT / ".venv" / "bin" / "rasa")


def test_data_validates_without_warnings() -> None:
    """Not a single warning, but three Rasa cannot know better: the notes for
    relatives are sent by action_signpost, not by a rule, and the content
    check (authoring/check.py) already holds each to a topic; the answers an
    action sends by name with values filled in (the support team's form,
    actions/support_form.py), which the content check counts as used; and
    the urgent check's intent is set by the safety detector, never learnt
    from examples."""
    result = subprocess.run(
        [RASA, "data", "validate", "--domain", "domain", "--data", "data"],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    project = Project()
    sent_by_actions = set(relatives_notes(project).values())
    assert sent_by_actions, "no notes for relatives found"
    sent_by_actions |= {n for n in project.responses if re.search(rf"[\"']{re.escape(n)}[\"']", project.action_code)}
    warnings = [line for line in output.splitlines() if "UserWarning" in line or "WARNING" in line]
    explained = [f"The utterance '{name}' is not used in any story or rule." for name in sent_by_actions]
    explained += [
        f"The intent '{name}' is listed in the domain file, but is not found in the NLU training data."
        for name in DETECTOR_INTENTS
    ]
    unexplained = [line for line in warnings if not any(reason in line for reason in explained)]
    assert result.returncode == 0, output[-3000:]
    assert unexplained == []


def test_every_test_story_passes(model_path: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            RASA,
            "test",
            "core",
            "--model",
            str(model_path),
            "--stories",
            "eval/stories",
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, (
        (tmp_path / "failed_test_stories.yml").read_text()
        if (tmp_path / "failed_test_stories.yml").exists()
        else output[-3000:]
    )
    counts = re.findall(r"Correct:\s+(\d+) / (\d+)", output)
    assert counts and all(a == b for a, b in counts), counts
    sys.stdout.write(f"\ntest stories: {counts[0][0]} / {counts[0][1]} correct\n")
