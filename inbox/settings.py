"""The support team of each country, from content/support_team.yml (or the
file SUPPORT_TEAM_FILE names): whether the inbox is on, the team's name,
the notification address, retention and opening hours. Opening hours use
the helplines' format and code (base/opening_hours.py)."""

from __future__ import annotations

import os
import re
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, validator

from base.opening_hours import DAY_KEYS, HOLIDAY_CALENDARS, opening_status
from base.paths import CONTENT_DIR

COUNTRIES = ("NL", "UK")
LANGUAGES = ("nl", "en")
DEFAULT_FILE = CONTENT_DIR / "support_team.yml"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SettingsError(ValueError):
    """The support team file is missing or wrong; the message says where."""


class Hours(BaseModel, extra=Extra.forbid):
    """Opening hours, as content/contacts.yml writes a helpline's."""

    timezone: str
    days: List[str] = Field(..., min_items=1)
    open: str
    close: str
    closed_on_public_holidays: Optional[str] = None

    @validator("timezone")
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    @validator("days", each_item=True)
    def _day(cls, value: str) -> str:
        if value not in DAY_KEYS:
            raise ValueError(f"days are {', '.join(DAY_KEYS)}, not {value!r}")
        return value

    @validator("open", "close")
    def _clock(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"a time is HH:MM, not {value!r}")
        return value

    @validator("close")
    def _after_open(cls, value: str, values: Dict[str, object]) -> str:
        opens = values.get("open")
        if isinstance(opens, str) and time.fromisoformat(value) <= time.fromisoformat(opens):
            raise ValueError("close must be after open")
        return value

    @validator("closed_on_public_holidays")
    def _calendar(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and value not in HOLIDAY_CALENDARS:
            raise ValueError(f"public holidays are those of {', '.join(HOLIDAY_CALENDARS)}, not {value!r}")
        return value


class TeamSettings(BaseModel, extra=Extra.forbid):
    """One country's support team."""

    enabled: bool = False
    team_name: Dict[str, str]
    notify_email: Optional[str] = None
    retention_days: int = Field(30, ge=1, le=3650)
    hours: Hours

    @validator("team_name")
    def _both_languages(cls, value: Dict[str, str]) -> Dict[str, str]:
        missing = [language for language in LANGUAGES if not str(value.get(language, "")).strip()]
        if missing:
            raise ValueError(f"team_name needs {', '.join(missing)}")
        return value

    @validator("notify_email")
    def _address(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _EMAIL.match(value):
            raise ValueError(f"not an e-mail address: {value!r}")
        return value

    def name(self, language: str) -> str:
        """The team's name in `language` (English when unknown)."""
        return self.team_name.get(language) or self.team_name["en"]


class SupportTeams(BaseModel, extra=Extra.forbid):
    """The whole file: one team per country."""

    version: int = 1
    NL: TeamSettings
    UK: TeamSettings

    def team(self, country: str) -> TeamSettings:
        if country not in COUNTRIES:
            raise ValueError(f"no support team for country {country!r} (known: {', '.join(COUNTRIES)})")
        team: TeamSettings = getattr(self, country)
        return team


def load(path: Union[str, Path, None] = None) -> SupportTeams:
    """Read and check a support team file; SettingsError says what is wrong."""
    path = Path(path or os.environ.get("SUPPORT_TEAM_FILE") or DEFAULT_FILE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return SupportTeams.parse_obj(raw if isinstance(raw, dict) else {})
    except OSError as error:
        raise SettingsError(f"{path}: cannot read it ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise SettingsError(f"{path}: not valid YAML ({error})") from None
    except ValidationError as error:
        raise SettingsError(f"{path}: {error}") from None


@lru_cache(maxsize=None)
def _cached(path: str) -> SupportTeams:
    return load(path)


def teams() -> SupportTeams:
    """The configured teams (read once per file)."""
    return _cached(os.environ.get("SUPPORT_TEAM_FILE") or str(DEFAULT_FILE))


def team(country: str) -> TeamSettings:
    """The support team of `country` (NL or UK); ValueError for another."""
    return teams().team(country)


def is_open(country: str, now: datetime) -> bool:
    """Whether the team of `country` is at work at the aware datetime `now`."""
    return opening_status(team(country).hours.dict(), now).is_open


def next_opening(country: str, now: datetime) -> datetime:
    """When the team next starts reading messages: `now` while it is at work,
    else its next opening (in the team's timezone)."""
    status = opening_status(team(country).hours.dict(), now)
    if status.is_open or status.next_open is None:
        return now
    return status.next_open
