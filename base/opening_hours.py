"""Is a phone line open at a given moment, and when does it open next?

Hours come from content/contacts.yml: a timezone, the weekdays, an opening
and a closing time, and optionally the country whose public holidays close it.
All logic takes the moment as an argument, so tests can fix the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Dict, Optional, Text
from zoneinfo import ZoneInfo

import holidays

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOLIDAY_CALENDARS = {"UK": ("GB", "ENG"), "NL": ("NL", None)}


@dataclass(frozen=True)
class OpeningStatus:
    """Whether the line is open at `now`, when it closes, when it opens next."""

    is_open: bool
    closes_at: Optional[datetime]
    next_open: Optional[datetime]


def _parse(clock: Text) -> time:
    hours, minutes = clock.split(":")
    return time(int(hours), int(minutes))


def _is_holiday(day: date, country: Optional[Text]) -> bool:
    if not country:
        return False
    code, subdiv = HOLIDAY_CALENDARS[country]
    return day in holidays.country_holidays(code, subdiv=subdiv, years=day.year)


def _open_on(day: date, hours: Dict[Text, Any]) -> bool:
    return DAY_KEYS[day.weekday()] in hours["days"] and not _is_holiday(day, hours.get("closed_on_public_holidays"))


def opening_status(hours: Dict[Text, Any], now: datetime) -> OpeningStatus:
    """The status of a line with `hours` at the aware datetime `now`."""
    zone = ZoneInfo(hours["timezone"])
    local = now.astimezone(zone)
    opens, closes = _parse(hours["open"]), _parse(hours["close"])
    if _open_on(local.date(), hours) and opens <= local.time() < closes:
        return OpeningStatus(True, datetime.combine(local.date(), closes, zone), None)
    for offset in range(0, 15):
        day = local.date() + timedelta(days=offset)
        if offset == 0 and local.time() >= opens:
            continue
        if _open_on(day, hours):
            return OpeningStatus(False, None, datetime.combine(day, opens, zone))
    return OpeningStatus(False, None, None)
