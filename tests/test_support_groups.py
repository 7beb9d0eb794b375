"""The support-group answer never presents old listings as current: it names
the year the groups were listed and says to check before going, and it shows
a meeting as coming only when its date is today or later in the UK (fixed
clocks; one test at today's real date on the real content file)."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml

from actions import clock
from actions.support_group_actions import (
    ActionFindSupportGroup,
    describe_meeting,
    group_answer,
    meeting_date,
    next_meeting,
    uk_today,
)
from base import content
from base.content import message, support_groups, support_groups_listed
from tests.trackers import run, texts, tracker

LONDON = ZoneInfo("Europe/London")
LANGUAGES = ("en", "nl")
AFTER_ALL_LISTED = datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
# "The next listed meeting is on" / "De volgende bijeenkomst op de lijst is op"
NEXT = {lang: message("support_group_next_meeting", lang, meeting="").rstrip(". ") for lang in LANGUAGES}
CHECK = {lang: message("support_group_check", lang) for lang in LANGUAGES}
POSTCODES = {"east_sussex": "BN3 3WR", "essex": "CM1 7ET", "lancashire": "BB7 2JY"}


@pytest.fixture
def at(monkeypatch):
    """Fix the actions' clock: at(moment)."""

    def set_clock(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return set_clock


@pytest.fixture
def groups_file(tmp_path, monkeypatch):
    """A copy of content/ the actions read instead; write(data) replaces its
    support_groups.yml."""
    folder = tmp_path / "content"
    shutil.copytree(content.CONTENT_DIR, folder)
    monkeypatch.setattr(content, "CONTENT_DIR", folder)
    content._load.cache_clear()

    def write(data) -> None:
        (folder / "support_groups.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
        content._load.cache_clear()

    yield write
    content._load.cache_clear()


def answer(postcode: str, language: str) -> str:
    messages, _ = run(ActionFindSupportGroup(), tracker(language, "UK", postcode=postcode))
    return texts(messages)


def meeting_strings(meeting, language: str):
    """Every way a meeting's date could be written in an answer."""
    day = meeting_date(meeting)
    return [
        describe_meeting(meeting, language),
        day.isoformat(),
        describe_meeting({"date": day}, language).split(" ", 1)[1],
    ]  # "20 June 2018"


# ------------------------------------------------------------- the real file
def test_the_file_says_where_and_when_the_groups_were_listed() -> None:
    listed = support_groups_listed()
    assert "003" in listed["source"] and listed["year"] == 2018
    for group in support_groups():
        assert group["id"] in POSTCODES and group.get("meetings"), group["id"]
        for meeting in group["meetings"]:
            assert meeting_date(meeting).year >= listed["year"]
            assert re.fullmatch(r"\d\d:\d\d-\d\d:\d\d", meeting["time"])


def test_the_seeded_dates_are_those_of_source_003() -> None:
    """'Wednesday 20th June', 'Friday 6th July', 'Monday 25th June': the
    weekdays of the page, which fit 2018."""
    found = {g["id"]: [describe_meeting(m, "en") for m in g["meetings"]] for g in support_groups()}
    assert found == {
        "east_sussex": ["Wednesday 20 June 2018, 18:30-20:30 UK time"],
        "essex": ["Friday 6 July 2018, 19:00-21:00 UK time"],
        "lancashire": ["Monday 25 June 2018, 18:00-20:00 UK time"],
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("group_id", list(POSTCODES))
def test_after_all_listed_meetings_no_date_is_presented_as_coming(at, group_id, language) -> None:
    at(AFTER_ALL_LISTED)
    group = next(g for g in support_groups() if g["id"] == group_id)
    text = answer(POSTCODES[group_id], language)
    assert group["name"] in text and group["venue"] in text
    assert "2018" in text and CHECK[language] in text
    assert NEXT[language] not in text
    for meeting in group["meetings"]:
        for written in meeting_strings(meeting, language):
            assert written not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_answer_says_it_was_listed_in_2018_and_to_check_first(at, language) -> None:
    at(AFTER_ALL_LISTED)
    text = answer("BN3 3WR", language)
    expected = {
        "en": ["in 2018 the UK Sepsis Trust listed", "check with the UK Sepsis Trust before you go"],
        "nl": ["in 2018 stond de East Sussex", "vraag het na bij de UK Sepsis Trust voordat je gaat"],
    }
    for words in expected[language]:
        assert words in text
    assert "0808 800 0029" in text  # where to check: the trust's helpline


def test_a_meeting_today_in_the_uk_is_still_coming(at) -> None:
    at(datetime(2018, 6, 20, 8, 0, tzinfo=LONDON))
    assert "The next listed meeting is on Wednesday 20 June 2018, 18:30-20:30 UK time." in answer("BN3", "en")
    assert "De volgende bijeenkomst op de lijst is op woensdag 20 juni 2018, 18:30-20:30 Britse tijd." in answer(
        "BN3", "nl"
    )


def test_a_meeting_of_yesterday_in_the_uk_is_not_shown_even_if_utc_still_has_that_day(at) -> None:
    # 23:30 UTC on 20 June is 00:30 on 21 June in the UK (summer time).
    at(datetime(2018, 6, 20, 23, 30, tzinfo=timezone.utc))
    assert uk_today() == date(2018, 6, 21)
    text = answer("BN3", "en")
    assert NEXT["en"] not in text and "20 June" not in text
    assert "Friday 6 July 2018" in answer("CM1", "en")  # Essex's is still to come


# ------------------------------------------------------------- temporary file
def temporary_listing(year: int, meetings):
    return {
        "version": 2,
        "listed": {"source": "a test listing", "year": year},
        "groups": [
            {
                "id": "test_group",
                "name": "Test Sepsis Support Group",
                "venue": "Test Hall, Testville",
                "areas": ["BN"],
                "meetings": meetings,
            }
        ],
    }


@pytest.mark.parametrize(
    "language,expected",
    [
        ("en", "The next listed meeting is on Friday 1 March 2030, 18:00-20:00 UK time."),
        ("nl", "De volgende bijeenkomst op de lijst is op vrijdag 1 maart 2030, 18:00-20:00 Britse tijd."),
    ],
)
def test_a_future_meeting_in_the_file_is_shown(at, groups_file, language, expected) -> None:
    groups_file(
        temporary_listing(
            2029,
            [
                {"date": "2031-02-03", "time": "10:00-12:00"},  # later: not the next one
                {"date": date(2029, 1, 10), "time": "18:00-20:00"},  # past: never shown
                {"date": date(2030, 3, 1), "time": "18:00-20:00"},
            ],
        )
    )
    at(datetime(2029, 6, 1, 12, 0, tzinfo=LONDON))
    text = answer("BN1 1AA", language)
    assert "Test Sepsis Support Group" in text and "2029" in text and CHECK[language] in text
    assert expected in text
    assert "2031" not in text and describe_meeting({"date": date(2029, 1, 10)}, language) not in text
    assert text.count(NEXT[language]) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_only_past_meetings_in_the_file_are_not_shown(at, groups_file, language) -> None:
    groups_file(temporary_listing(2029, [{"date": date(2029, 1, 10), "time": "18:00-20:00"}]))
    at(datetime(2029, 6, 1, 12, 0, tzinfo=LONDON))
    text = answer("BN1 1AA", language)
    assert NEXT[language] not in text and "2029" in text and CHECK[language] in text
    assert describe_meeting({"date": date(2029, 1, 10)}, language) not in text


def test_a_group_without_meetings_gets_no_date(at, groups_file) -> None:
    listing = temporary_listing(2029, [])
    del listing["groups"][0]["meetings"]
    groups_file(listing)
    at(datetime(2029, 6, 1, 12, 0, tzinfo=LONDON))
    text = answer("BN1 1AA", "en")
    assert NEXT["en"] not in text and "in 2029 the UK Sepsis Trust listed" in text


# ------------------------------------------------------------- today's date
@pytest.mark.parametrize("language", LANGUAGES)
def test_at_todays_date_no_group_of_the_real_file_presents_a_past_date_as_coming(at, language) -> None:
    now = datetime.now(timezone.utc)
    at(now)
    today = now.astimezone(LONDON).date()
    for group in support_groups():
        text = group_answer(group, "XX1", language, uk_today())
        assert f"{support_groups_listed()['year']}" in text and CHECK[language] in text
        coming = next_meeting(group, today)
        if coming is None:
            assert NEXT[language] not in text, group["id"]
        else:
            assert meeting_date(coming) >= today
            assert describe_meeting(coming, language) in text
        for meeting in group.get("meetings") or []:
            if meeting_date(meeting) < today:
                for written in meeting_strings(meeting, language):
                    assert written not in text, (group["id"], written)
        # and through the action, as a user would get it
        action_text = answer(group["areas"][0] + "1", language)
        assert (NEXT[language] in action_text) == (coming is not None)
