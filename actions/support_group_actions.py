"""The support-group finder: a form that asks for a UK postcode, and the
answer naming the listed local group (or the forum and online groups).
Users in the Netherlands are not asked for a postcode: they get Dutch peer
contact straight away."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import clock
from actions.signpost_actions import send_signposts
from base.content import (
    label,
    message,
    support_groups,
    support_groups_listed,
    user_country,
    user_language,
)
from base.opening_hours import DAY_KEYS

POSTCODE = re.compile(r"\b([A-Z]{1,2})([0-9][A-Z0-9]?)(?:\s*([0-9][A-Z]{2}))?\b", re.IGNORECASE)
ONLINE = {"UK": ["sepsis_trust_forum", "facebook_groups_uk"], "NL": ["sepsis_en_daarna", "peer_group_nl"]}
# Where to check a listed group's place and date before going.
CHECK_WITH = ["sepsis_trust_helpline"]
UK_TIME = ZoneInfo("Europe/London")
MONTH_KEYS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


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
    found = re.match(r"[A-Z]+", postcode.upper())
    return found.group(0) if found else ""


def group_for(postcode: Text) -> Optional[Dict[Text, Any]]:
    """The listed group for the postcode's area, if there is one."""
    area = postcode_area(postcode)
    return next((g for g in support_groups() if area in g["areas"]), None)


def meeting_date(meeting: Dict[Text, Any]) -> date:
    """A listed meeting's date (YAML gives a date; a quoted one is a string)."""
    value = meeting["date"]
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def uk_today() -> date:
    """Today's date in the UK, by the actions' clock."""
    return clock.now().astimezone(UK_TIME).date()


def next_meeting(group: Dict[Text, Any], today: date) -> Optional[Dict[Text, Any]]:
    """The group's first listed meeting on `today` or later; never a past one."""
    coming = [m for m in group.get("meetings") or [] if meeting_date(m) >= today]
    return min(coming, key=meeting_date) if coming else None


def describe_meeting(meeting: Dict[Text, Any], language: Text) -> Text:
    """'Wednesday 20 June 2029, 18:30-20:30 UK time' in the given language."""
    day = meeting_date(meeting)
    text = (
        f"{label(DAY_KEYS[day.weekday()], language)} {day.day} {label(MONTH_KEYS[day.month - 1], language)} {day.year}"
    )
    if meeting.get("time"):
        text += f", {meeting['time']} {label('uk_time', language)}"
    return text


def group_answer(group: Dict[Text, Any], postcode: Text, language: Text, today: date) -> Text:
    """What was listed for the group and when, the next listed meeting only if
    it is still to come, and the advice to check before going."""
    parts = [
        message(
            "support_group_found",
            language,
            postcode=postcode,
            group_name=group["name"],
            venue=group["venue"],
            year=support_groups_listed()["year"],
        )
    ]
    meeting = next_meeting(group, today)
    if meeting:
        parts.append(message("support_group_next_meeting", language, meeting=describe_meeting(meeting, language)))
    parts.append(message("support_group_check", language))
    return " ".join(parts)


class ValidateSupportGroupForm(FormValidationAction):
    """Checks the postcode; users in the Netherlands skip the question."""

    def name(self) -> Text:
        return "validate_support_group_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        return [] if user_country(tracker) == "NL" else domain_slots

    def validate_postcode(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[Text, Any]:
        postcode = parse_postcode(slot_value)
        if postcode is None:
            dispatcher.utter_message(text=message("postcode_invalid", user_language(tracker)))
        return {"postcode": postcode}


class ActionFindSupportGroup(Action):
    """Name the group listed for the postcode's area (with the year it was
    listed, and where to check it), else the forum and online groups."""

    def name(self) -> Text:
        return "action_find_support_group"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        language, country = user_language(tracker), user_country(tracker)
        if country == "NL":
            dispatcher.utter_message(text=message("support_group_nl", language))
            send_signposts(dispatcher, ONLINE["NL"], language, country)
            return []
        postcode = tracker.get_slot("postcode") or ""
        group = group_for(postcode) if postcode else None
        if group:
            dispatcher.utter_message(text=group_answer(group, postcode, language, uk_today()))
            send_signposts(dispatcher, CHECK_WITH, language, country)
        else:
            dispatcher.utter_message(text=message("support_group_none", language, postcode=postcode))
            send_signposts(dispatcher, ONLINE["UK"], language, country)
        return [SlotSet("postcode", None)]


class ActionAskPostcode(Action):
    """The form's question for the postcode."""

    def name(self) -> Text:
        return "action_ask_postcode"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(text=message("ask_postcode", user_language(tracker)))
        return []
