"""The one seam to Rasa's internals.

Everything the project does with Rasa beyond its public, documented
extension points lives in this package, as named pieces:

- graph_runner: `rasa.core.processor.DaskGraphRunner` and the runner's
  private graph fields (off: dask runs the graph);
- action_validation: `RemoteAction._validate_action_result` (off: jsonschema
  re-checks the schema on every call);
- rule_index: `RulePolicy._get_possible_keys` / `_is_rule_applicable` (off:
  every rule is tested per prediction);
- live_tracker_store: `DialogueStateTracker._max_event_history` (off: every
  read replays the conversation);
- action_failures: the wording of `rasa.core.processor`'s log line for a
  failed action (off: no notice when an action fails);
- dry_run: three private `MessageProcessor` steps, to answer a message on a
  tracker that is never saved (off: `handle_message` on a throw-away sender);
- session_locale: wraps `MessageProcessor._update_tracker_session`, so a
  session starts with the metadata's language and country as slots (off:
  the language follows the text only);
- handled_tracker: the same wrapper hands the channel the tracker Rasa
  handled the message in (off: the channel reads the conversation again);
- sql_tracker_store: the production profile's SQL store keeps the tracker
  it saved and inserts only new events, using `SQLTrackerStore`'s private
  `_event_query`, `_additional_events` and `SQLEvent` (off: Rasa's SQL
  store, which replays and recounts the conversation on every message).

Nothing is changed on import. `install()` (called when the Rasa server
creates the REST channel, and by tools that load a model in-process)
checks the installed Rasa version against the versions the pieces were
tested with and refuses to go on with any other; `RASA_EXT_OFF` (a
comma-separated list of pieces, or `all`) switches pieces off. The
contract tests (tests/test_rasa_ext*.py) run the same inputs through stock
Rasa and through each piece and compare the results.
"""

from __future__ import annotations

import logging
import os
from typing import Callable, Dict, FrozenSet, Iterable, Optional, Set, Tuple

import rasa

TESTED_VERSIONS = frozenset({"3.6.21"})
SWITCH = "RASA_EXT_OFF"
logger = logging.getLogger(__name__)
PIECES = (
    "graph_runner",
    "action_validation",
    "rule_index",
    "live_tracker_store",
    "action_failures",
    "dry_run",
    "session_locale",
    "handled_tracker",
    "sql_tracker_store",
)

_active: Set[str] = set()


class UnsupportedRasa(RuntimeError):
    """The installed Rasa is not one the pieces were tested with."""


def switched_off(environ: Optional[Dict[str, str]] = None) -> FrozenSet[str]:
    """The pieces `RASA_EXT_OFF` switches off (`all` for every one)."""
    value = (environ if environ is not None else os.environ).get(SWITCH, "")
    names = {name.strip() for name in value.split(",") if name.strip()}
    if "all" in names:
        return frozenset(PIECES)
    unknown = names - set(PIECES)
    if unknown:
        raise ValueError(f"{SWITCH} names unknown pieces {sorted(unknown)} (known: {', '.join(PIECES)})")
    return frozenset(names)


def check_version(version: Optional[str] = None) -> None:
    """Refuse a Rasa the pieces were not tested with (default: the installed one)."""
    version = version or rasa.__version__
    if version not in TESTED_VERSIONS:
        raise UnsupportedRasa(
            f"rasa {version} is installed, but rasa_ext was tested with rasa {', '.join(sorted(TESTED_VERSIONS))} "
            f"only. Pin rasa to a tested version, or run stock Rasa with {SWITCH}=all."
        )


def _patches() -> Dict[Tuple[str, ...], Callable[[bool], None]]:
    """Per patch, the pieces that need it and its switch (True: install,
    False: give Rasa's own back)."""
    from rasa_ext import action_validation, graph_runner, session

    return {
        ("graph_runner",): graph_runner.switch,
        ("action_validation",): action_validation.switch,
        ("session_locale", "handled_tracker"): session.switch,
    }


def install(pieces: Optional[Iterable[str]] = None, environ: Optional[Dict[str, str]] = None) -> FrozenSet[str]:
    """Turn on `pieces` (default: all) except those switched off; the
    others run as stock Rasa. Returns the active pieces."""
    wanted = set(PIECES if pieces is None else pieces) - switched_off(environ)
    unknown = wanted - set(PIECES)
    if unknown:
        raise ValueError(f"unknown pieces {sorted(unknown)} (known: {', '.join(PIECES)})")
    if wanted:
        check_version()
    for needed_by, switch in _patches().items():
        switch(bool(wanted & set(needed_by)))
    _active.clear()
    _active.update(wanted)
    logger.info(
        "rasa_ext on (rasa %s): %s; off: %s",
        rasa.__version__,
        ", ".join(sorted(wanted)) or "none",
        ", ".join(sorted(set(PIECES) - wanted)) or "none",
    )
    return frozenset(_active)


def uninstall() -> None:
    """Stock Rasa everywhere."""
    for switch in _patches().values():
        switch(False)
    _active.clear()


def active(piece: str) -> bool:
    """Whether `piece` is on (pieces are off until `install()`)."""
    return piece in _active
