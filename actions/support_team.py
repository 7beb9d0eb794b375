"""The support team of the user's country (content/support_team.yml through
inbox.settings), as the conversation needs it: is the inbox on, the offer's
button, the team's name, and its hours and next opening in words."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Dict, List, Optional, Text

from base.content import label
from base.signposts import describe_hours, describe_moment
from inbox import settings

logger = logging.getLogger(__name__)
LEAVE_MESSAGE = "/leave_message"


def team(country: Text) -> Optional[settings.TeamSettings]:
    """The country's team, or None when the file is missing or wrong (the
    error is logged; a conversation never fails on it)."""
    try:
        return settings.team(country)
    except Exception:  # a bad settings file must not break the chat
        logger.exception("support team settings of %s could not be read", country)
        return None


def is_on(country: Text) -> bool:
    """Whether the organisation turned the inbox on for this country."""
    found = team(country)
    return bool(found and found.enabled)


def offer_buttons(country: Text, language: Text) -> List[Dict[Text, Text]]:
    """The 'leave a message' button, only when the inbox is on."""
    return [{"title": label("leave_message", language), "payload": LEAVE_MESSAGE}] if is_on(country) else []


def hours_text(country: Text, language: Text) -> Text:
    """'Monday-Friday 09:00-17:00' (with 'UK time' for a team in the UK)."""
    found = team(country)
    return describe_hours(found.hours.dict(), language) if found else ""


def next_reading(country: Text, now: datetime, language: Text) -> Optional[Text]:
    """None while the team is at work, else when it reads messages again:
    'tomorrow at 09:00'."""
    if settings.is_open(country, now):
        return None
    return describe_moment(settings.next_opening(country, now), now, language)
