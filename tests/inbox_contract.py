"""The support inbox store's contract (inbox/store.py), written once and run
on SQLite (tests/test_inbox_store.py) and on the production profile's
PostgreSQL (tests/production/test_inbox_pg.py). A subclass gives the fixture
`make_store(clock, key=KEY, support_teams=TEAMS)`, a store on an empty
database."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from inbox.crypto import new_key
from inbox.settings import SupportTeams, teams
from inbox.store import (
    MAX_TEXT,
    PREVIEW,
    REFERENCE_ALPHABET,
    InboxStore,
    InvalidMessage,
    NewMessage,
    NotFound,
    Status,
    TooManyMessages,
)

KEY = new_key()
START = datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc)


def teams_with_retention(nl: int, uk: int) -> SupportTeams:
    """The configured teams with other retention days."""
    configured = teams()
    return SupportTeams(
        NL=configured.NL.copy(update={"retention_days": nl}), UK=configured.UK.copy(update={"retention_days": uk})
    )


TEAMS = teams_with_retention(30, 10)


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def message(**overrides: Any) -> NewMessage:
    base = NewMessage(
        conversation_id="conversation-1",
        country="NL",
        language="nl",
        contact_method="phone",
        contact="06 12345678",
        best_time="'s ochtends",
        text="Ik wil graag iemand spreken over mijn vermoeidheid.",
    )
    return replace(base, **overrides)


class StoreContract:
    """The tests; `make_store` comes from the subclass."""

    @pytest.fixture
    def clock(self) -> Clock:
        return Clock()

    @pytest.fixture
    def store(self, make_store, clock) -> InboxStore:
        return make_store(clock)

    # ------------------------------------------------------------ leaving and reading
    def test_a_message_gets_an_unambiguous_reference(self, store):
        reference = store.leave(message())
        letters = re.escape(REFERENCE_ALPHABET)
        assert re.fullmatch(rf"SB-[{letters}]{{4}}-[{letters}]{{4}}", reference)
        assert not set(reference[3:].replace("-", "")) & set("01OIL")
        typed = reference.lower().replace("-", " ")
        assert store.find(typed).reference == reference
        assert store.find("SB-0000-0000") is None and store.find("") is None

    def test_the_list_shows_urgent_first_then_newest_without_contact_details(self, store, clock):
        first = store.leave(message(conversation_id="a", text="first"))
        clock.advance(minutes=5)
        urgent = store.leave(message(conversation_id="b", text="urgent one", urgent=True))
        clock.advance(minutes=5)
        newest = store.leave(message(conversation_id="c", text="newest", contact_method="none", contact=None))
        listed = store.list()
        assert [summary.reference for summary in listed] == [urgent, newest, first]
        assert listed[0].urgent and not listed[1].urgent
        assert listed[1].contact_method == "none" and listed[2].contact_method == "phone"
        assert listed[2].created_at == START and listed[2].created_at.tzinfo is not None
        for summary in listed:
            assert "612345678" not in str(summary.as_dict()) and not hasattr(summary, "contact")
        assert store.list(status="closed") == [] and len(store.list(status=Status.OPEN)) == 3
        assert [summary.reference for summary in store.list(limit=1)] == [urgent]

    def test_the_preview_is_the_first_words_only(self, store):
        store.leave(message(text="word " * 200))
        preview = store.list()[0].preview
        assert len(preview) <= PREVIEW and preview.endswith("…") and preview.startswith("word word")

    def test_opening_decrypts_and_is_audited(self, store, clock):
        reference = store.leave(message())
        message_id = store.list()[0].id
        clock.advance(hours=1)
        detail = store.open(message_id, user="anna", role="staff")
        assert (detail.reference, detail.contact, detail.best_time) == (reference, "+31612345678", "'s ochtends")
        assert detail.text == message().text and detail.conversation_id == "conversation-1"
        assert detail.status == "open" and detail.handled_by is None
        store.open(message_id, user="", role="reader")
        entries = store.audit(message_id)
        assert [(e.action, e.user, e.role) for e in entries] == [
            ("opened", "reader", "reader"),
            ("opened", "anna", "staff"),
        ]
        assert entries[1].reference == reference and entries[1].at == START + timedelta(hours=1)

    def test_staff_mark_messages_contacted_and_closed_with_a_note(self, store, clock):
        store.leave(message())
        message_id = store.list()[0].id
        clock.advance(hours=2)
        store.mark(message_id, "contacted", "Gebeld, <b>belt</b> terug", user="anna", role="staff")
        detail = store.open(message_id, user="anna", role="staff")
        assert detail.status == "contacted" and detail.status_note == "Gebeld, <b>belt</b> terug"
        assert detail.handled_by == "anna" and detail.handled_at == START + timedelta(hours=2)
        store.mark(message_id, Status.CLOSED, None, user="ben", role="staff")
        assert [s.status for s in store.list(status="closed")] == ["closed"] and store.list(status="open") == []
        marks = [(e.action, e.detail, e.user) for e in store.audit(message_id) if e.action == "marked"]
        assert marks == [("marked", "closed", "ben"), ("marked", "contacted", "anna")]
        with pytest.raises(InvalidMessage):
            store.mark(message_id, "archived", None, user="anna", role="staff")

    def test_a_reader_may_open_but_not_mark(self, store):
        store.leave(message())
        message_id = store.list()[0].id
        with pytest.raises(PermissionError):
            store.mark(message_id, "closed", "done", user="rita", role="reader")
        assert store.list()[0].status == "open"
        assert [e.action for e in store.audit(message_id)] == []
        for role in ("admin", "", None):
            with pytest.raises(PermissionError):
                store.open(message_id, user="x", role=role)
        with pytest.raises(NotFound):
            store.open(message_id + 1000, user="anna", role="staff")
        with pytest.raises(NotFound):
            store.open(str(message_id), user="anna", role="staff")

    # ------------------------------------------------------------ limits
    def test_a_conversation_leaves_at_most_three_messages_a_day(self, store, clock):
        for number in range(3):
            store.leave(message(contact=f"06 1234567{number}"))
            clock.advance(hours=1)
        with pytest.raises(TooManyMessages) as refused:
            store.leave(message(contact="06 99999999"))
        assert refused.value.reason == "conversation"
        assert len(store.list()) == 3
        store.leave(message(conversation_id="another"))
        clock.advance(hours=21, seconds=1)  # the first is now over 24 hours old
        store.leave(message(contact="06 99999999"))
        assert len(store.list()) == 5

    @pytest.mark.parametrize(
        "method, spellings, other",
        [
            ("phone", ["06-12345678", "+31 6 1234 5678", "0031612345678", "+31 (0)6 12345678"], "06 87654321"),
            (
                "email",
                ["Anna@Example.org", "anna@EXAMPLE.org", "anna+sepsis@example.org", " anna@example.org "],
                "bo@example.org",
            ),
        ],
    )
    def test_an_address_leaves_at_most_twenty_messages_a_day_however_written(
        self, store, clock, method, spellings, other
    ):
        for number in range(20):
            store.leave(message(conversation_id=f"c{number}", contact_method=method, contact=spellings[number % 4]))
        with pytest.raises(TooManyMessages) as refused:
            store.leave(message(conversation_id="c-new", contact_method=method, contact=spellings[0]))
        assert refused.value.reason == "address"
        store.leave(message(conversation_id="c-new", contact_method=method, contact=other))
        store.leave(message(conversation_id="c-none", contact_method="none", contact=None))
        clock.advance(hours=24, seconds=1)
        store.leave(message(conversation_id="c-later", contact_method=method, contact=spellings[1]))

    def test_the_limit_holds_when_messages_arrive_at_the_same_moment(self, store):
        barrier = threading.Barrier(6)

        def leave(number: int) -> str:
            barrier.wait()
            try:
                return store.leave(message(contact=f"06 1234560{number}"))
            except TooManyMessages as refused:
                return refused.reason

        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(leave, range(6)))
        assert sorted(results).count("conversation") == 3, results
        assert len(store.list()) == 3

    # ------------------------------------------------------------ bad input
    def test_text_of_2000_characters_is_kept_and_longer_refused(self, store):
        store.leave(message(text="x" * MAX_TEXT))
        assert store.open(store.list()[0].id, "anna", "staff").text == "x" * MAX_TEXT
        for bad in ("x" * (MAX_TEXT + 1), "", "   \n ", None, b"bytes", 42):
            with pytest.raises(InvalidMessage) as refused:
                store.leave(message(conversation_id="other", text=bad))
            assert refused.value.field == "text"
        assert len(store.list()) == 1

    @pytest.mark.parametrize(
        "text",
        [
            "<script>alert('x')</script><b>vet</b> &amp; <img src=x onerror=alert(1)>",
            "Heel moe 😴🙏🏽 na de IC, 👨‍👩‍👧",
            "ما زلت متعبا — שלום",
            "'; DROP TABLE support_messages; --",
            "line one\nline two\n\ttabbed",
        ],
    )
    def test_html_script_emoji_and_other_text_are_kept_as_plain_text(self, store, text):
        store.leave(message(text=text))
        summary = store.list()[0]
        assert store.open(summary.id, "anna", "staff").text == text

    def test_control_characters_and_lone_surrogates_become_harmless_text(self, store):
        store.leave(message(text="a\x00b\x07c\ud800d\r\ne\x7f", best_time="\x1bmorning\x00"))
        detail = store.open(store.list()[0].id, "anna", "staff")
        assert detail.text == "a b c\ufffdd\ne" and detail.best_time == "morning"

    @pytest.mark.parametrize(
        "field, value",
        [
            ("country", "DE"),
            ("country", None),
            ("language", "fr"),
            ("contact_method", "fax"),
            ("conversation_id", ""),
            ("conversation_id", "x" * 129),
            ("best_time", "x" * 201),
            ("best_time", 7),
        ],
    )
    def test_wrong_fields_are_refused_with_their_name(self, store, field, value):
        with pytest.raises(InvalidMessage) as refused:
            store.leave(message(**{field: value}))
        assert refused.value.field == field
        assert store.list() == []

    @pytest.mark.parametrize(
        "method, contact",
        [
            ("phone", "12"),
            ("phone", "call me maybe"),
            ("phone", "+31 6 1234"),
            ("phone", None),
            ("email", "anna@"),
            ("email", "anna example.org"),
            ("email", "<script>@x.org"),
            ("email", None),
        ],
    )
    def test_invalid_contact_addresses_are_refused(self, store, method, contact):
        with pytest.raises(InvalidMessage) as refused:
            store.leave(message(contact_method=method, contact=contact))
        assert refused.value.field == "contact"

    def test_dont_contact_me_stores_no_address(self, store):
        store.leave(message(contact_method="none", contact="06 12345678", best_time="mornings"))
        detail = store.open(store.list()[0].id, "anna", "staff")
        assert detail.contact is None and detail.best_time is None and detail.contact_method == "none"

    # ------------------------------------------------------------ retention
    def test_purge_deletes_messages_past_their_countrys_retention(self, make_store, clock):
        store = make_store(clock, support_teams=teams_with_retention(30, 10))
        old_nl = store.leave(message(conversation_id="nl-old"))
        old_uk = store.leave(message(conversation_id="uk-old", country="UK", language="en", contact="07700 900123"))
        store.open(store.list()[0].id, "anna", "staff")
        clock.advance(days=15)
        new_uk = store.leave(message(conversation_id="uk-new", country="UK", language="en", contact="07700 900123"))
        clock.advance(days=1)  # NL old: 16 days (< 30), UK old: 16 days (> 10), UK new: 1 day
        assert store.purge(dry_run=True) == 1
        assert len(store.list()) == 3
        assert store.purge() == 1
        assert {s.reference for s in store.list()} == {old_nl, new_uk}
        deleted = [e for e in store.audit() if e.action == "deleted"]
        assert [(e.reference, e.user, e.message_id) for e in deleted] == [(old_uk, "retention", None)]
        assert all(e.message_id is None for e in store.audit() if e.reference == old_uk)
        clock.advance(days=14)  # NL old: exactly 30 days (kept), UK new: 15 days
        assert store.purge(now=clock.now) == 1 and store.purge() == 0
        assert [s.reference for s in store.list()] == [old_nl]
        clock.advance(seconds=1)
        assert store.purge() == 1 and store.list() == []

    # ------------------------------------------------------------ notification state
    def test_a_new_message_waits_for_its_notification_with_backoff(self, store, clock):
        store.leave(message())
        message_id = store.list()[0].id
        assert [n.id for n in store.pending_notifications()] == [message_id]
        assert store.claim_notification(message_id) and not store.claim_notification(message_id)
        retry = store.notification_failed(message_id, "ConnectionRefusedError: down")
        state = store.notification(message_id)
        assert state.attempts == 1 and state.next_attempt_at == retry == START + timedelta(minutes=1)
        assert store.pending_notifications() == []
        clock.advance(minutes=1)
        assert store.claim_notification(message_id)
        assert store.notification_failed(message_id, "down again") == clock.now + timedelta(minutes=2)
        clock.advance(minutes=2)
        store.notification_sent(message_id)
        state = store.notification(message_id)
        assert state.notified_at == clock.now and state.next_attempt_at is None and state.error is None
        clock.advance(days=1)
        assert store.pending_notifications() == []
