"""Held-out NLU accuracy per language, on examples never used for training.
The figures are printed at the end of the test run."""

from __future__ import annotations

import pytest

from staff.heldout import LANGUAGES, evaluate
from tests.conftest import HELDOUT_RESULTS

# The safety layer answers first, so a held-out message it takes for a crisis
# counts as a miss: recall comes first, and the 30 Nov descriptions that lifted
# crisis recall on unread messages by 7.5 points give the crisis answer to 4
# more ordinary Dutch messages (docs/safety-net.md), hence 0.89, not 0.90.
MIN_ACCURACY = 0.89


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
