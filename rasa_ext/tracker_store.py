"""The embedded default's tracker store: Rasa's in-memory store that also
keeps each conversation's last saved tracker object.

Rasa's InMemoryTrackerStore keeps every conversation as JSON and rebuilds
the tracker, replaying all its events, on every read (Rasa reads once per
message; the REST channel takes that tracker from rasa_ext.session rather
than reading again). This store hands the tracker it saved last back to the
next `retrieve` (which then owns it, as with a rebuilt one). The JSON copy
is kept and written as before, so anything else reads what Rasa's store
would give.
What is kept is what Rasa's `retrieve` would return: the whole tracker, or
when it spans sessions (a new conversation starts with a slot set before
its session start) only the last session, built once as Rasa builds it.
Only the most recently saved `LIVE_LIMIT` conversations are kept, so the
extra memory stays bounded and so do the garbage collector's full passes,
which walk every kept tracker (about 140 objects each): with 1,000 kept
they stopped the server for about 110 ms every few seconds under load, with
200 for 15-30 ms. Any other conversation is rebuilt as before (about 1 ms).
The `live_tracker_store` piece of rasa_ext: until it is on, this is Rasa's
InMemoryTrackerStore.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, split_events
from rasa.shared.core.trackers import DialogueStateTracker

import rasa_ext

PIECE = "live_tracker_store"

LIVE_LIMIT = 200  # conversations whose tracker object is kept (the most recent; see above)


class LiveInMemoryTrackerStore(InMemoryTrackerStore):
    """InMemoryTrackerStore that reuses the last saved tracker object."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("host", None)  # Rasa passes the endpoint's url; there is none
        super().__init__(*args, **kwargs)
        self._live: "OrderedDict[Text, DialogueStateTracker]" = OrderedDict()

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Save as Rasa does, and keep the object for the next read."""
        await super().save(tracker)
        if not rasa_ext.active(PIECE):
            return
        self._live[tracker.sender_id] = last_session(tracker)
        self._live.move_to_end(tracker.sender_id)
        while len(self._live) > LIVE_LIMIT:
            self._live.popitem(last=False)

    async def create_tracker(self, sender_id: Text, append_action_listen: bool = True) -> DialogueStateTracker:
        """A new tracker; the caller goes on changing it, so it is not kept."""
        tracker = await super().create_tracker(sender_id, append_action_listen)
        self._live.pop(sender_id, None)
        return tracker

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The last saved tracker (now the caller's), or Rasa's rebuilt one."""
        tracker = self._live.pop(sender_id, None)
        return tracker if tracker is not None else await super().retrieve(sender_id)


def last_session(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """The tracker as Rasa's `retrieve` returns it: itself when it holds one
    session, else its last session replayed (as
    `rasa.shared.core.trackers.get_trackers_for_conversation_sessions`)."""
    sessions = split_events(
        tracker.events, ActionExecuted, {"action_name": ACTION_SESSION_START_NAME}, include_splitting_event=True
    )
    if len(sessions) <= 1:
        return tracker
    return DialogueStateTracker.from_events(
        tracker.sender_id,
        sessions[-1],
        tracker.slots.values(),
        sender_source=tracker.sender_source,
        max_event_history=tracker._max_event_history,
    )
