"""Restart: forget the conversation but keep its language and country."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content import message, user_language


class ActionRestart(Action):
    """'Start over': forget the conversation but keep its language and country."""

    def name(self) -> Text:
        return "action_restart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(text=message("start_again", user_language(tracker)))
        kept = [SlotSet(name, tracker.get_slot(name)) for name in ("language", "country")]
        return [Restarted()] + [event for event in kept if event["value"] is not None]
