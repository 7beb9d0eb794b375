"""Session start and restart: language and country from the widget's metadata."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, Restarted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content import message, user_language
from components.locale import (
    COUNTRY_FOR_LANGUAGE,
    LANGUAGE_FOR_COUNTRY,
    normalise_country,
    normalise_language,
)

METADATA_SLOT = "session_started_metadata"


def language_and_country(metadata: Any, slots: Dict[Text, Any]) -> Dict[Text, Any]:
    """Language and country for a new session.

    Metadata wins, and a missing one follows the other (nl <-> NL, en <-> UK);
    without metadata the values carried over from the last session stay.
    """
    metadata = metadata if isinstance(metadata, dict) else {}
    md_language = normalise_language(metadata.get("language"))
    md_country = normalise_country(metadata.get("country"))
    language = md_language or LANGUAGE_FOR_COUNTRY.get(md_country) or slots.get("language")
    if md_country:
        country = md_country
    elif md_language:
        country = COUNTRY_FOR_LANGUAGE[md_language]
    else:
        country = slots.get("country") or COUNTRY_FOR_LANGUAGE.get(language)
    return {"language": language, "country": country}


class ActionSessionStart(Action):
    """Start a session, carrying slots over, with language/country from metadata."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        metadata = tracker.get_slot(METADATA_SLOT) or {}
        carried = {
            name: value
            for name, value in tracker.slots.items()
            if value is not None and name not in (METADATA_SLOT, "requested_slot")
        }
        carried.update({k: v for k, v in language_and_country(metadata, carried).items() if v})
        events: List[EventType] = [SessionStarted()]
        events += [SlotSet(name, value) for name, value in carried.items()]
        if metadata:
            events.append(SlotSet(METADATA_SLOT, metadata))
        events.append(ActionExecuted("action_listen"))
        return events


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
