"""Build rasa-sdk trackers and run actions for the action tests."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN: Dict[str, Any] = {
    "forms": {"support_group_form": {"required_slots": ["postcode"]}},
    "slots": {"language": {}, "country": {}, "postcode": {}},
}


def tracker(
    language: Optional[str] = "en",
    country: Optional[str] = None,
    intent: str = "greet",
    ranking: Optional[List[Dict[str, Any]]] = None,
    events: Optional[List[Dict]] = None,
    text: str = "...",
    **slots: Any,
) -> Tracker:
    """A tracker whose latest message (`text`) has `intent`, with the given slots."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": ranking or [],
        "entities": [],
    }
    return Tracker(
        sender_id="test",
        slots={"language": language, "country": country, **slots},
        latest_message=latest,
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Action, tracker_: Tracker) -> Tuple[List[Dict], List[Dict]]:
    """(messages sent, events returned) of one action run."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, DOMAIN))
    return dispatcher.messages, events


def texts(messages: List[Dict]) -> str:
    """All message texts joined, for substring assertions."""
    return "\n".join(m.get("text") or "" for m in messages)
