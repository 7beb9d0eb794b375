"""What the user gets when a custom action fails (the action server is down,
unreachable or answers with an error).

Rasa 3.6 runs a custom action as a `RemoteAction`; when the call fails it
raises inside `MessageProcessor._run_action`, which logs the exception on the
`rasa.core.processor` logger ("Encountered an exception while running action
'...'"), drops the action's events and goes on with the conversation. So
escalations (plain responses) and other plain answers still arrive, but the
part of an answer that the action would have sent (signposts, the menu, the
helpline's opening hours, the support-group form) is silently missing.

`watch_action_failures()` notes those failures for the message being handled
(a logging filter plus a context variable, so concurrent conversations never
see each other's failures), and `outage_notice()` is the one extra message
the REST channel then adds: a short apology with the helpline and the
emergency number of the user's country, from content/contacts.yml, in the
conversation's language (content/messages.yml, `action_server_down`).
"""
from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Dict, Iterator, List, Optional, Text

from base.content import message, user_country, user_language
from actions.signposts import render_list

PROCESSOR_LOGGER = "rasa.core.processor"
FAILURE_LOG = re.compile(r"Encountered an exception while running action '([^']+)'")
NOTICE_RESPONSE = "action_server_unavailable"
# Who to turn to per country when the assistant cannot answer in full.
OUTAGE_SIGNPOSTS = {
    "UK": ("sepsis_trust_helpline", "emergency_uk"),
    "NL": ("sepsis_en_daarna", "emergency_nl"),
}

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
    logger = logging.getLogger(PROCESSOR_LOGGER)
    if _RECORDER not in logger.filters:
        logger.addFilter(_RECORDER)
    failures: List[Text] = []
    token = _failures.set(failures)
    try:
        yield failures
    finally:
        _failures.reset(token)


def outage_notice(recipient_id: Text, tracker: Any) -> Dict[Text, Any]:
    """The message that tells the user part of the answer is missing and
    where to turn instead, in the conversation's language and country."""
    language = user_language(tracker) if tracker else "en"
    country = user_country(tracker) if tracker else "UK"
    text = message("action_server_down", language,
                   signposts=render_list(OUTAGE_SIGNPOSTS[country], language))
    return {"recipient_id": recipient_id, "text": text, "response": NOTICE_RESPONSE}
