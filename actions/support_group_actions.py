"""The support-group finder: a form that asks for a UK postcode, and the
answer naming the listed local group (or the forum and online groups).
Users in the Netherlands are not asked for a postcode: they get Dutch peer
contact straight away."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.content import message, support_groups, user_country, user_language
from actions.signpost_actions import send_signposts

POSTCODE = re.compile(
    r"\b([A-Z]{1,2})([0-9][A-Z0-9]?)(?:\s*([0-9][A-Z]{2}))?\b", re.IGNORECASE
)
ONLINE = {"UK": ["sepsis_trust_forum", "facebook_groups_uk"], "NL": ["sepsis_en_daarna", "peer_group_nl"]}


def parse_postcode(text: Any) -> Optional[Text]:
    """The first UK postcode (full or outward part) in `text`, upper-cased."""
    if not isinstance(text, str):
        return None
    match = POSTCODE.search(text)
    if not match:
        return None
    area, district, inward = match.groups()
    outward = f"{area}{district}".upper()
    return f"{outward} {inward.upper()}" if inward else outward


def postcode_area(postcode: Text) -> Text:
    """The letters at the start of a postcode ('BN3 3WR' -> 'BN')."""
    return re.match(r"[A-Z]+", postcode.upper()).group(0)


def group_for(postcode: Text) -> Optional[Dict[Text, Any]]:
    """The listed group for the postcode's area, if there is one."""
    area = postcode_area(postcode)
    return next((g for g in support_groups() if area in g["areas"]), None)


class ValidateSupportGroupForm(FormValidationAction):
    """Checks the postcode; users in the Netherlands skip the question."""

    def name(self) -> Text:
        return "validate_support_group_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
        tracker: Tracker, domain: DomainDict,
    ) -> List[Text]:
        return [] if user_country(tracker) == "NL" else domain_slots

    def validate_postcode(
        self, slot_value: Any, dispatcher: CollectingDispatcher,
        tracker: Tracker, domain: DomainDict,
    ) -> Dict[Text, Any]:
        postcode = parse_postcode(slot_value)
        if postcode is None:
            dispatcher.utter_message(text=message("postcode_invalid", user_language(tracker)))
        return {"postcode": postcode}


class ActionFindSupportGroup(Action):
    """Name the local group for the postcode, else the forum and online groups."""

    def name(self) -> Text:
        return "action_find_support_group"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        language, country = user_language(tracker), user_country(tracker)
        if country == "NL":
            dispatcher.utter_message(text=message("support_group_nl", language))
            send_signposts(dispatcher, ONLINE["NL"], language, country)
            return []
        postcode = tracker.get_slot("postcode") or ""
        group = group_for(postcode) if postcode else None
        if group:
            dispatcher.utter_message(text=message(
                "support_group_found", language, group_name=group["name"],
                venue=group["venue"], postcode=postcode,
            ))
        else:
            dispatcher.utter_message(text=message("support_group_none", language, postcode=postcode))
            send_signposts(dispatcher, ONLINE["UK"], language, country)
        return [SlotSet("postcode", None)]


class ActionAskPostcode(Action):
    """The form's question for the postcode."""

    def name(self) -> Text:
        return "action_ask_postcode"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(text=message("ask_postcode", user_language(tracker)))
        return []
