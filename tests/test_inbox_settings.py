"""content/support_team.yml and its loader: both countries configured with a
generic team name, opening hours in the helplines' format, and a clear
error for a wrong file; phone numbers and e-mail addresses as people type
them (inbox/contact.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml

from base.paths import CONTENT_DIR
from inbox import settings
from inbox.contact import address_key, parse_email, parse_phone
from inbox.settings import SettingsError, load

AMSTERDAM, LONDON = ZoneInfo("Europe/Amsterdam"), ZoneInfo("Europe/London")


def test_the_demo_turns_the_inbox_on_with_a_generic_team():
    for country in ("NL", "UK"):
        team = settings.team(country)
        assert team.enabled and team.retention_days == 30
        assert team.name("nl") == "het supportteam" and team.name("en") == "the support team"
        assert team.notify_email and team.notify_email.endswith("@example.org")
    text = (CONTENT_DIR / "support_team.yml").read_text(encoding="utf-8").lower()
    for real in ("sepsis trust", "sepsis en daarna", "fcic", "nhs"):
        assert real not in text, real


def test_opening_hours_and_the_next_opening():
    tuesday_ten = datetime(2025, 3, 4, 10, 0, tzinfo=AMSTERDAM)
    assert settings.is_open("NL", tuesday_ten)
    assert settings.next_opening("NL", tuesday_ten) == tuesday_ten
    friday_evening = datetime(2025, 3, 7, 18, 0, tzinfo=AMSTERDAM)
    assert not settings.is_open("NL", friday_evening)
    assert settings.next_opening("NL", friday_evening) == datetime(2025, 3, 10, 9, 0, tzinfo=AMSTERDAM)
    christmas_eve = datetime(2025, 12, 24, 18, 0, tzinfo=timezone.utc)  # then two public holidays
    assert settings.next_opening("UK", christmas_eve) == datetime(2025, 12, 29, 9, 0, tzinfo=LONDON)
    assert settings.next_opening("NL", christmas_eve) == datetime(2025, 12, 29, 9, 0, tzinfo=AMSTERDAM)


def test_an_unknown_country_is_a_clear_error():
    with pytest.raises(ValueError, match="no support team"):
        settings.team("DE")


def valid() -> dict:
    return yaml.safe_load((CONTENT_DIR / "support_team.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d.pop("UK"), "UK"),
        (lambda d: d["NL"]["hours"].update(timezone="Mars/Olympus"), "unknown timezone"),
        (lambda d: d["NL"]["hours"].update(days=["monday"]), "days are"),
        (lambda d: d["NL"]["hours"].update(days=[]), "days"),
        (lambda d: d["NL"]["hours"].update(open="9am"), "HH:MM"),
        (lambda d: d["NL"]["hours"].update(close="08:00"), "after open"),
        (lambda d: d["NL"]["hours"].update(closed_on_public_holidays="DE"), "public holidays"),
        (lambda d: d["NL"].update(notify_email="not an address"), "e-mail"),
        (lambda d: d["NL"].update(retention_days=0), "retention_days"),
        (lambda d: d["NL"].update(team_name={"nl": "team"}), "team_name needs en"),
        (lambda d: d["NL"].update(organisation="Real Org"), "organisation"),
    ],
)
def test_a_wrong_file_is_refused_saying_what_is_wrong(tmp_path, change, words):
    data = valid()
    change(data)
    path = tmp_path / "support_team.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SettingsError, match=words):
        load(path)


def test_the_inbox_is_off_unless_turned_on(tmp_path, monkeypatch):
    data = valid()
    del data["NL"]["enabled"]
    path = tmp_path / "teams.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setenv("SUPPORT_TEAM_FILE", str(path))
    assert settings.team("NL").enabled is False and settings.team("UK").enabled is True
    for broken in ("", "[1, 2", "- a list"):
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(SettingsError, match=str(path)):
            load(path)
    with pytest.raises(SettingsError, match="cannot read"):
        load(tmp_path / "missing.yml")


@pytest.mark.parametrize(
    "typed, country, expected",
    [
        ("06-12345678", "NL", "+31612345678"),
        ("+31 (0)6 1234 5678", "UK", "+31612345678"),
        ("0031 20 123 4567", "NL", "+31201234567"),
        ("07700 900123", "UK", "+447700900123"),
        ("+44 20 7946 0958", "NL", "+442079460958"),
        ("+1 (202) 555-0143", "NL", "+12025550143"),
        ("0612345678", "UK", "+44612345678"),
        ("06 1234", "NL", None),
        ("+31 06 12345678", "NL", None),
        ("123456789", "NL", None),
        ("06-CALL-ME", "NL", None),
        ("", "NL", None),
        (None, "NL", None),
        ("0" * 50, "NL", None),
    ],
)
def test_phone_numbers_as_people_type_them(typed, country, expected):
    assert parse_phone(typed, country) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        (" Anna.Jansen@Example.ORG ", "Anna.Jansen@example.org"),
        ("mailto:a+b@x.nl", "a+b@x.nl"),
        ("anna@", None),
        ("@example.org", None),
        ("anna@example", None),
        ("an na@example.org", None),
        ("a..b@example.org", None),
        ("a@b@example.org", None),
        ("<b>@example.org", None),
        ("anna@exa_mple.org", None),
        ("x" * 65 + "@example.org", None),
        (42, None),
    ],
)
def test_email_addresses_as_people_type_them(typed, expected):
    assert parse_email(typed) == expected


def test_one_mailbox_or_phone_is_one_address_for_the_limit():
    assert address_key("email", "Anna+chat@Example.org") == address_key("email", "anna@example.org")
    assert address_key("email", "+tag@example.org") != address_key("email", "@example.org")
    assert address_key("phone", "+31612345678") != address_key("email", "+31612345678@x.nl")
