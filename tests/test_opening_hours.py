"""The UK Sepsis Trust helpline's open/closed logic at fixed clock times
(UK local time, weekdays, bank holidays, summer time)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from base.content import organisations
from base.opening_hours import opening_status

HOURS = organisations()["sepsis_trust_helpline"]["hours"]
LONDON = ZoneInfo("Europe/London")


def uk(*args) -> datetime:
    """A moment given in UK local time."""
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    "moment,is_open",
    [
        (uk(2026, 11, 23, 9, 29), False),  # Monday, just before opening
        (uk(2026, 11, 23, 9, 30), True),  # opening minute
        (uk(2026, 11, 23, 16, 29), True),
        (uk(2026, 11, 23, 16, 30), False),  # closing minute
        (uk(2026, 11, 27, 12, 0), True),  # Friday
        (uk(2026, 11, 28, 12, 0), False),  # Saturday
        (uk(2026, 11, 29, 12, 0), False),  # Sunday
        (uk(2026, 12, 25, 12, 0), False),  # Christmas Day, a Friday
        (uk(2026, 12, 28, 12, 0), False),  # Boxing Day observed, a Monday
        (uk(2026, 8, 31, 12, 0), False),  # summer bank holiday (England and Wales)
    ],
)
def test_open_or_closed(moment: datetime, is_open: bool) -> None:
    assert opening_status(HOURS, moment).is_open is is_open


def test_summer_time_uses_uk_local_time() -> None:
    # 09:00 UTC in July is 10:00 in London (BST): open. In January it is 09:00: closed.
    assert opening_status(HOURS, datetime(2026, 7, 6, 9, 0, tzinfo=timezone.utc)).is_open
    assert not opening_status(HOURS, datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)).is_open


def test_when_open_it_says_when_it_closes() -> None:
    status = opening_status(HOURS, uk(2026, 11, 23, 11, 0))
    assert status.closes_at == uk(2026, 11, 23, 16, 30)


@pytest.mark.parametrize(
    "moment,next_open",
    [
        (uk(2026, 11, 23, 8, 0), uk(2026, 11, 23, 9, 30)),  # same morning
        (uk(2026, 11, 23, 17, 0), uk(2026, 11, 24, 9, 30)),  # next day
        (uk(2026, 11, 27, 17, 0), uk(2026, 11, 30, 9, 30)),  # Friday evening -> Monday
        (uk(2026, 12, 24, 17, 0), uk(2026, 12, 29, 9, 30)),  # over Christmas and Boxing Day
    ],
)
def test_when_closed_it_says_when_it_opens(moment: datetime, next_open: datetime) -> None:
    status = opening_status(HOURS, moment)
    assert not status.is_open and status.next_open == next_open
