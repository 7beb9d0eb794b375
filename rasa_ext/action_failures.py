"""Which custom actions failed while a message was handled.

Rasa 3.6 runs a custom action as a `RemoteAction`; when the call fails (the
action server is down, unreachable or answers with an error) it raises
inside `MessageProcessor._run_action`, which logs the exception on the
`rasa.core.processor` logger ("Encountered an exception while running
action '...'"), drops the action's events and goes on. Rasa offers no
public hook for that, so this piece reads that log line: a logging filter
plus a context variable, so concurrent conversations never see each
other's failures. The `action_failures` piece of rasa_ext: until it is on,
no failure is noted (stock Rasa: the answer just lacks the action's part).
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, List, Optional, Text

import rasa_ext

PROCESSOR_LOGGER = "rasa.core.processor"
FAILURE_LOG = re.compile(r"Encountered an exception while running action '([^']+)'")

_failures: ContextVar[Optional[List[Text]]] = ContextVar("failed_actions", default=None)


class _FailedActionRecorder(logging.Filter):
    """Notes the name of each action whose run failed; lets every record pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        failures = _failures.get()
        if failures is not None and record.exc_info:
            found = FAILURE_LOG.search(str(record.msg))
            if found:
                failures.append(found.group(1))
        return True


_RECORDER = _FailedActionRecorder()


@contextmanager
def watch_action_failures() -> Iterator[List[Text]]:
    """The names of the custom actions that failed while the block ran."""
    failures: List[Text] = []
    if not rasa_ext.active("action_failures"):
        yield failures
        return
    logger = logging.getLogger(PROCESSOR_LOGGER)
    if _RECORDER not in logger.filters:
        logger.addFilter(_RECORDER)
    token = _failures.set(failures)
    try:
        yield failures
    finally:
        _failures.reset(token)
