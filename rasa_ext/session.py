"""The start of a conversation session, and the conversation a message was
handled in.

- `session_locale`: when a message starts a session (no user message since
  the last session start or restart), the language and country of the
  message's metadata become the `language` and `country` slots, before the
  message itself is understood. So a page in Dutch gets Dutch answers from
  its first message on, button payloads included, and a widget that keeps
  sending its page's language never undoes a switch the user asked for
  later. Stock Rasa (off): the language follows the messages' text only.
- `handled_tracker`: the channel gets the tracker Rasa handled the message
  in (the object it saves), so it reads the conversation's language from
  Rasa's own result instead of reading the conversation again. Stock Rasa
  (off): `handled()` stays empty and the channel reads the store.

Both wrap `MessageProcessor._update_tracker_session`, which Rasa 3.6 calls
for every message (and the dry_run piece calls for staff checks) with the
message's metadata, under the conversation's lock.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional

from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import Restarted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import rasa_ext
from base.locale import COUNTRY_FOR_LANGUAGE, LANGUAGE_FOR_COUNTRY, normalise_country, normalise_language

STOCK = MessageProcessor._update_tracker_session


@dataclass
class Handled:
    """The tracker a message was handled in (None until Rasa fetched it)."""

    tracker: Optional[DialogueStateTracker] = None


_handled: ContextVar[Optional[Handled]] = ContextVar("handled_tracker", default=None)


@contextmanager
def handled() -> Iterator[Handled]:
    """Collects the tracker of the message handled inside the block."""
    holder = Handled()
    token = _handled.set(holder)
    try:
        yield holder
    finally:
        _handled.reset(token)


def session_locale(metadata: Optional[Dict[str, Any]]) -> List[SlotSet]:
    """The slots a session starts with: the metadata's language and country
    (a missing one follows the other: nl <-> NL, en <-> UK)."""
    metadata = metadata if isinstance(metadata, dict) else {}
    language = normalise_language(metadata.get("language"))
    country = normalise_country(metadata.get("country"))
    language = language or LANGUAGE_FOR_COUNTRY.get(country or "")
    country = country or COUNTRY_FOR_LANGUAGE.get(language or "")
    return [SlotSet(name, value) for name, value in (("language", language), ("country", country)) if value]


def awaits_first_message(tracker: DialogueStateTracker) -> bool:
    """No user message since the session started (or the conversation restarted)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, (SessionStarted, Restarted)):
            return True
    return True


async def update_tracker_session(
    self: MessageProcessor, tracker: DialogueStateTracker, output_channel: Any, metadata: Optional[Dict] = None
) -> None:
    """Rasa's session update, then this module's pieces."""
    await STOCK(self, tracker, output_channel, metadata)
    if rasa_ext.active("session_locale") and awaits_first_message(tracker):
        for event in session_locale(metadata):
            tracker.update(event, self.domain)
    holder = _handled.get()
    if holder is not None and rasa_ext.active("handled_tracker"):
        holder.tracker = tracker


def switch(on: bool) -> None:
    """Wrap Rasa's session update, or give Rasa's own back (idempotent)."""
    MessageProcessor._update_tracker_session = update_tracker_session if on else STOCK
