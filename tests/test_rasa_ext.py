"""The seam to Rasa's internals (rasa_ext): nothing changes on import, the
version check refuses an untested Rasa, every piece can be switched off
and stock Rasa comes back; the action_validation piece gives Rasa's own
answers. The other pieces' contracts: tests/test_rasa_ext_*.py."""

from __future__ import annotations

import subprocess
import sys

import pytest
import rasa
import rasa.core.processor
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import rasa_ext
from base.paths import PROJECT_ROOT, rasa_env
from rasa_ext import action_validation, session
from rasa_ext.session import awaits_first_message, session_locale
from tests.conftest import rasa_ext_as_before


@pytest.fixture(autouse=True)
def as_before():
    with rasa_ext_as_before():
        yield


def test_nothing_is_installed_on_import() -> None:
    probe = (
        "import channels.rest, staff.engine, rasa_ext, rasa_ext.action_validation, rasa.core.processor as p\n"
        "from rasa.engine.runner.dask import DaskGraphRunner\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "assert p.DaskGraphRunner is DaskGraphRunner\n"
        "assert RemoteAction._validate_action_result is rasa_ext.action_validation.STOCK\n"
        "assert not any(rasa_ext.active(n) for n in rasa_ext.PIECES)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_install_turns_every_piece_on_and_uninstall_gives_stock_rasa() -> None:
    assert rasa_ext.install(environ={}) == frozenset(rasa_ext.PIECES)
    assert rasa.core.processor.DaskGraphRunner is not DaskGraphRunner
    assert RemoteAction._validate_action_result is action_validation.validate_action_result
    rasa_ext.uninstall()
    assert rasa.core.processor.DaskGraphRunner is DaskGraphRunner
    assert RemoteAction._validate_action_result is action_validation.STOCK
    assert not any(rasa_ext.active(name) for name in rasa_ext.PIECES)


def test_pieces_are_switched_off_by_the_environment() -> None:
    on = rasa_ext.install(environ={rasa_ext.SWITCH: "graph_runner, dry_run"})
    assert on == frozenset(rasa_ext.PIECES) - {"graph_runner", "dry_run"}
    assert rasa.core.processor.DaskGraphRunner is DaskGraphRunner
    assert rasa_ext.install(environ={rasa_ext.SWITCH: "all"}) == frozenset()
    with pytest.raises(ValueError, match="unknown pieces"):
        rasa_ext.install(environ={rasa_ext.SWITCH: "graph_runer"})


def test_an_untested_rasa_is_refused(monkeypatch) -> None:
    rasa_ext.check_version("3.6.21")
    with pytest.raises(rasa_ext.UnsupportedRasa, match="rasa 3.7.0 is installed"):
        rasa_ext.check_version("3.7.0")
    runner = rasa.core.processor.DaskGraphRunner
    monkeypatch.setattr(rasa, "__version__", "3.6.22")
    with pytest.raises(rasa_ext.UnsupportedRasa):
        rasa_ext.install(environ={})
    assert rasa.core.processor.DaskGraphRunner is runner  # refused before anything changed
    assert rasa_ext.install(environ={rasa_ext.SWITCH: "all"}) == frozenset()  # stock Rasa runs anywhere


def test_the_rasa_server_refuses_to_start_on_an_untested_rasa(tmp_path) -> None:
    """The REST channel installs the pieces when `rasa run` creates it."""
    probe = (
        "import rasa; rasa.__version__ = '9.9.9'\n"
        "from channels.rest import SepsisRestInput\n"
        "SepsisRestInput.from_credentials(None)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True
    )
    assert result.returncode != 0 and "rasa 9.9.9 is installed" in result.stderr


ANSWERS = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "language", "value": "nl"}], "responses": [{"text": "hoi"}]},
    {"events": "not a list", "responses": []},
    {"events": [{"no_event_key": 1}], "responses": []},
    {"events": [], "responses": "not a list"},
    [],
]


@pytest.mark.parametrize("index,answer", enumerate(ANSWERS))
def test_action_validation_gives_rasas_answer(index, answer) -> None:
    def outcome(validate):
        try:
            return validate(RemoteAction("action_signpost", None), answer)
        except ValidationError as error:
            return ("error", error.message, list(error.path))

    ours = outcome(action_validation.validate_action_result)
    assert ours == outcome(action_validation.STOCK)
    assert (ours is True) == (index < 2), ours  # the first two are valid answers


@pytest.mark.parametrize(
    "metadata,expected",
    [
        ({"language": "nl"}, {"language": "nl", "country": "NL"}),
        ({"language": "en-GB", "country": "nl"}, {"language": "en", "country": "NL"}),
        ({"country": "UK"}, {"language": "en", "country": "UK"}),
        ({"language": "de", "country": "BE"}, {}),
        (None, {}),
    ],
)
def test_a_session_starts_with_the_metadata_locale(metadata, expected) -> None:
    assert {event.key: event.value for event in session_locale(metadata)} == expected


def user(at: float) -> UserUttered:
    return UserUttered("hi", timestamp=at)


@pytest.mark.parametrize(
    "events,expected",
    [
        ([], True),  # new conversation
        ([SessionStarted(), ActionExecuted("action_listen")], True),  # started, no message yet
        ([SessionStarted(), user(1000.0)], False),  # a message came already
        ([SessionStarted(), user(1000.0), SessionStarted()], True),  # Rasa started a new one
        ([SessionStarted(), user(1000.0), Restarted()], True),  # restarted
    ],
)
def test_the_first_message_of_a_session_is_recognised(events, expected) -> None:
    tracker = DialogueStateTracker.from_events("s", events)
    assert awaits_first_message(tracker) is expected


def test_the_session_pieces_wrap_rasas_session_update_and_give_it_back() -> None:
    rasa_ext.install(["handled_tracker"])
    assert MessageProcessor._update_tracker_session is session.update_tracker_session
    rasa_ext.install(["graph_runner"])
    assert MessageProcessor._update_tracker_session is session.STOCK
