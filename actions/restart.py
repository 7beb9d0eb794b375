"""Restart: say so in the conversation's language, then forget the conversation."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher

from base.content import message, user_language


class ActionRestart(Action):
    """'Start over'. The next message starts a new session, which takes its
    language from the metadata again (the widget sends it) or from the text."""

    def name(self) -> Text:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(text=message("start_again", user_language(tracker)))
        return [Restarted()]
