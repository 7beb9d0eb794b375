"""Run one message as the first of a new conversation without saving it.

The staff console and the batch check ask "what would the assistant answer
to this?" without creating a conversation. Rasa 3.6 has no public call for
that: `MessageProcessor.handle_message` saves the tracker. This piece runs
the same steps as `handle_message` (session start, the user message, slot
extraction, the prediction loop) on a fresh tracker that is never given to
the tracker store, through three private processor methods. The `dry_run`
piece of rasa_ext: until it is on, `handle_message` runs (stock Rasa), and
the conversation is saved under its throw-away sender id.
"""

from __future__ import annotations

from typing import Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import rasa_ext


async def answer_unsaved(processor: MessageProcessor, message: UserMessage) -> Tuple[DialogueStateTracker, int]:
    """The conversation after `message` and the index of its answer's first
    event (the one after the user's message)."""
    if rasa_ext.active("dry_run"):
        tracker = DialogueStateTracker(message.sender_id, processor.domain.slots)
        await processor._update_tracker_session(tracker, message.output_channel, message.metadata)
        await processor._handle_message_with_tracker(message, tracker)
        await processor.run_action_extract_slots(message.output_channel, tracker)
        await processor._run_prediction_loop(message.output_channel, tracker)
    else:
        await processor.handle_message(message)
        tracker = await processor.get_tracker(message.sender_id)
    events = list(tracker.events)
    last_user = max(i for i, event in enumerate(events) if isinstance(event, UserUttered))
    return tracker, last_user + 1
