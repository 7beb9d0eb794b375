"""Shared fixtures: project paths, the trained model, a loaded agent, and a
summary of the held-out NLU accuracy at the end of the run."""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict

import pytest

from base.paths import PROJECT_ROOT, rasa_env

ROOT = PROJECT_ROOT
SHARED = ROOT.parent / "shared"
HELDOUT_RESULTS: Dict[str, Any] = {}
SAFETY_RESULTS: Dict[str, Any] = {}
AXE_RESULTS: Dict[str, Any] = {}
INDEPENDENT_SAFETY_RESULTS: Dict[str, Any] = {}


# Test files that train or load a model, or start servers, a browser or the
# production services: marked `slow` (as are a few single tests that take
# minutes, where they are defined), so `make test-fast` (pytest -m "not
# slow") gives a developer the rest in about a minute.
SLOW_FILES = {
    "test_action_requests.py",
    "test_assistant_e2e.py",
    "test_bad_input.py",
    "test_batch_check.py",
    "test_console_browser.py",
    "test_escalation_e2e.py",
    "test_fuzz.py",
    "test_rasa_ext_graph_runner.py",
    "test_new_topic.py",
    "test_nlu_heldout.py",
    "test_privacy.py",
    "test_rasa_checks.py",
    "test_rasa_ext_rule_policy.py",
    "test_safety_independent.py",
    "test_staff_console.py",
    "test_rasa_ext_tracker_store.py",
    "test_widget_browser.py",
    "test_widget_reading.py",
    "test_bench.py",
    "test_memory.py",
    "test_story_messages.py",
    "test_rasa_ext_pieces.py",
    "test_model_self_contained.py",
}


def pytest_collection_modifyitems(config, items) -> None:
    """Mark the slow test files (and everything under tests/production/)."""
    for item in items:
        path = Path(str(item.fspath))
        if path.name in SLOW_FILES or "production" in path.parts:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The trained model of the current data (trains only if needed)."""
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "train.sh")],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return ROOT / result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import ARGS, CHROMIUM

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def widget_site(model_path: Path):
    """The widget's demo site, talking to a real assistant that allows only
    its origin: {"url": the site, "rasa_url": the assistant}. Shared by the
    widget's browser tests."""
    from ops.local import free_port
    from tests.servers import Assistant, WidgetServer

    port = free_port()
    assistant = Assistant(model_path, cors=[f"http://127.0.0.1:{port}"])
    widget = WidgetServer(assistant.url, port=port)
    yield {"url": widget.url, "rasa_url": assistant.url}
    widget.stop()
    assistant.stop()


@contextmanager
def rasa_ext_as_before():
    """Whatever a test switches in rasa_ext, the pieces that were on are on again afterwards."""
    import rasa_ext

    before = [piece for piece in rasa_ext.PIECES if rasa_ext.active(piece)]
    try:
        yield
    finally:
        rasa_ext.install(before, environ={})


@pytest.fixture(scope="session")
def agent(model_path: Path):
    """A Rasa agent with the trained model, for NLU parsing in-process."""
    from rasa.core.agent import Agent

    import rasa_ext
    from staff.heldout import quiet_logs

    quiet_logs()
    rasa_ext.install()  # as the Rasa server runs
    return Agent.load(str(model_path))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the held-out NLU accuracy and the safety detector's recall and
    false-alarm rate per language, when they were measured."""
    if SAFETY_RESULTS:
        terminalreporter.section("safety detector (eval/safety/cases_<lang>.yml)")
        for language, r in SAFETY_RESULTS.items():
            terminalreporter.write_line(
                f"{language}: recall {r['recall']:.1%} on {r['positives']} positives, "
                f"false alarms {r['false_alarms']:.1%} on {r['negatives']} negatives"
            )
    if INDEPENDENT_SAFETY_RESULTS:
        terminalreporter.section("safety layer on the independent sets (eval/safety/<round>_<lang>.yml)")
        for line in INDEPENDENT_SAFETY_RESULTS["table"]:
            terminalreporter.write_line(line)
    if AXE_RESULTS:
        terminalreporter.section("axe-core on the open widget (WCAG 2.1 A/AA rules)")
        terminalreporter.write_line(
            f"{AXE_RESULTS['passes']} rules passed, {AXE_RESULTS['incomplete']} need a manual check, "
            f"{len(AXE_RESULTS['violations'])} violations: {AXE_RESULTS['violations']}"
        )
    if HELDOUT_RESULTS:
        terminalreporter.section("held-out NLU accuracy (eval/nlu, never trained on)")
        for language, result in HELDOUT_RESULTS.items():
            terminalreporter.write_line(
                f"{language}: {result['accuracy']:.1%} intent accuracy on {result['n']} examples"
            )
