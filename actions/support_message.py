"""The end of the support-team form: store the message (inbox.store) and
say its reference and what happens next; or, without consent, with the
inbox off, over the daily limit or when the store fails, say so kindly with
the phone routes. "stop" ends the form with nothing stored. Either way the
form's answers are forgotten, so the next message starts afresh."""

from __future__ import annotations

import logging
import threading
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.signpost_actions import offer_person
from actions.support_form import FORM_SLOTS, team_name
from actions.support_team import hours_text, is_on, next_reading
from base.content import user_country, user_language
from inbox.store import InboxStore, NewMessage, TooManyMessages

logger = logging.getLogger(__name__)
_store: Optional[InboxStore] = None
_store_lock = threading.Lock()


def store() -> InboxStore:
    """The inbox of SUPPORT_INBOX_URL, opened once per action server."""
    global _store
    with _store_lock:
        if _store is None:
            _store = InboxStore.from_env()
        return _store


def forget_answers() -> List[EventType]:
    """Clear the form's answers (not the urgent mark: it is about the conversation)."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


def new_message(tracker: Tracker) -> NewMessage:
    """The message as the form collected it."""
    method = tracker.get_slot("support_contact_method")
    method = method if method in ("phone", "email") else "none"
    return NewMessage(
        conversation_id=tracker.sender_id,
        country=user_country(tracker),
        language=user_language(tracker),
        contact_method=method,
        contact=tracker.get_slot("support_contact") if method != "none" else None,
        best_time=tracker.get_slot("support_best_time") if method != "none" else None,
        text=tracker.get_slot("support_message") or "",
        urgent=tracker.get_slot("support_urgent") is True,
    )


def not_left(dispatcher: CollectingDispatcher, response: Text, language: Text, country: Text) -> None:
    """Why nothing was stored, then the phone routes (no new offer to leave a message)."""
    dispatcher.utter_message(response=response)
    offer_person(dispatcher, language, country, message_button=False)


class ActionLeaveMessage(Action):
    """Store the message and answer with its reference and what happens next."""

    def name(self) -> Text:
        return "action_leave_message"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language, country = user_language(tracker), user_country(tracker)
        if not is_on(country):
            not_left(dispatcher, "utter_support_team_off", language, country)
        elif tracker.get_slot("support_consent") is not True or tracker.get_slot("support_confirm") is not True:
            not_left(dispatcher, "utter_support_no_consent", language, country)
        else:
            self.leave(dispatcher, tracker, language, country)
        return forget_answers()

    @staticmethod
    def leave(dispatcher: CollectingDispatcher, tracker: Tracker, language: Text, country: Text) -> None:
        try:
            reference = store().leave(new_message(tracker))
        except TooManyMessages as limit:
            logger.info("support message refused: too many from this %s", limit.reason)
            not_left(dispatcher, "utter_support_too_many", language, country)
            return
        except Exception as error:  # whatever the store does, the user gets an answer
            # the kind of error only: a database error can quote what was written
            logger.error("the support message could not be stored: %s", type(error).__name__)
            not_left(dispatcher, "utter_support_store_failed", language, country)
            return
        now = clock.now()
        when = next_reading(country, now, language)
        dispatcher.utter_message(
            response="utter_support_left_closed" if when else "utter_support_left_open",
            team=team_name(tracker),
            reference=reference,
            hours=hours_text(country, language),
            when=when or "",
        )


class ActionSupportStopped(Action):
    """'stop' inside the form: nothing stored, the answers forgotten."""

    def name(self) -> Text:
        return "action_support_stopped"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_support_stopped")
        return forget_answers()
