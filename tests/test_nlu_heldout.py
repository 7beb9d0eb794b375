"""Held-out NLU accuracy per language, on examples never used for training.
The figures are printed at the end of the test run."""

from __future__ import annotations

import pytest

from staff.heldout import LANGUAGES, evaluate
from tests.conftest import HELDOUT_RESULTS

MIN_ACCURACY = 0.90


@pytest.fixture(scope="module")
def report(agent):
    results = evaluate(agent)
    HELDOUT_RESULTS.update(results)
    return results


@pytest.mark.parametrize("language", LANGUAGES)
def test_heldout_accuracy(report, language: str) -> None:
    result = report[language]
    worst = result["confusions"].most_common(5)
    assert result["n"] >= 300, "the held-out set shrank"
    assert result["accuracy"] >= MIN_ACCURACY, f"{language}: {result['accuracy']:.1%}; most confused: {worst}"
