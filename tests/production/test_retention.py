"""Retention against the real PostgreSQL of the profile: conversations whose
last event is older than N days are deleted, newer ones kept, and a dry run
counts without deleting; the support inbox's messages older than their
country's retention days too. Only PostgreSQL runs (the `events` table is
made as the Rasa servers make it), so no model is needed."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from inbox.store import InboxStore
from ops.profile import ENDPOINTS, ROOT, VENV_BIN
from ops.retention import retention_days
from tests.inbox_contract import Clock, message
from tests.production.conftest import drop_inbox_tables, stored_events

DAY = 86400


@pytest.fixture(scope="module")
def profile(postgres):
    """The profile's PostgreSQL with Rasa's `events` table."""
    from rasa.core.tracker_store import SQLTrackerStore

    s = postgres.settings
    url = sa.engine.URL.create(
        "postgresql", username="rasa", password=s.db_password, host="127.0.0.1", port=s.postgres_port, database="rasa"
    )
    engine = sa.create_engine(url)
    SQLTrackerStore.SQLEvent.__table__.create(engine, checkfirst=True)
    engine.dispose()
    return postgres


def add_events(profile, sender: str, ages_in_days) -> None:
    """Stored user events of a conversation, `ages_in_days` old."""
    s = profile.settings
    url = sa.engine.URL.create(
        "postgresql", username="rasa", password=s.db_password, host="127.0.0.1", port=s.postgres_port, database="rasa"
    )
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for age in ages_in_days:
            stamp = time.time() - age * DAY
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) "
                    "VALUES (:s, 'user', :t, 'greet', :d)"
                ),
                {"s": sender, "t": stamp, "d": json.dumps({"event": "user", "timestamp": stamp, "text": "hello"})},
            )
    engine.dispose()


def run_retention(profile, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "python"), "-m", "ops.retention", "--endpoints", str(ENDPOINTS), *args],
        cwd=ROOT,
        env=profile.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_old_conversations_are_deleted_and_recent_ones_kept(profile):
    tag = uuid.uuid4().hex[:8]
    old, recent, mixed = f"old-{tag}", f"recent-{tag}", f"mixed-{tag}"
    add_events(profile, old, [45, 40])
    add_events(profile, recent, [2, 1])
    add_events(profile, mixed, [60, 5])  # its last event is recent: kept whole

    dry = run_retention(profile, "--days", "30", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would delete (dry run) 1 conversation(s), 2 event(s)" in dry.stdout
    assert len(stored_events(profile, old)) == 2  # a dry run deletes nothing

    real = run_retention(profile, "--days", "30")
    assert real.returncode == 0, real.stderr
    assert "deleted 1 conversation(s), 2 event(s)" in real.stdout
    assert stored_events(profile, old) == []
    assert len(stored_events(profile, recent)) == 2
    assert len(stored_events(profile, mixed)) == 2

    again = run_retention(profile, "--days", "30")
    assert "deleted 0 conversation(s)" in again.stdout

    shorter = run_retention(profile, "--days", "3", "--dry-run")  # RETENTION_DAYS-style window
    assert "would delete (dry run) 1 conversation(s), 2 event(s)" in shorter.stdout


def test_old_support_inbox_messages_are_deleted_by_their_countrys_days(profile):
    drop_inbox_tables(profile)
    now = datetime.now(timezone.utc)
    clock = Clock(now - timedelta(days=31))
    store = InboxStore.from_env(profile.env(), clock=clock)
    old = store.leave(message(conversation_id=f"old-{uuid.uuid4().hex[:8]}"))
    clock.now = now - timedelta(days=2)
    recent = store.leave(message(conversation_id=f"recent-{uuid.uuid4().hex[:8]}"))

    dry = run_retention(profile, "--days", "30", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would delete (dry run) 1 support inbox message(s)" in dry.stdout
    assert {s.reference for s in store.list()} == {old, recent}

    real = run_retention(profile, "--days", "30")
    assert real.returncode == 0, real.stderr
    assert "deleted 1 support inbox message(s)" in real.stdout
    assert [s.reference for s in store.list()] == [recent]
    assert [e.action for e in store.audit() if e.reference == old] == ["deleted"]
    store.dispose()


def test_days_come_from_the_argument_or_retention_days(monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "14")
    assert retention_days() == 14
    assert retention_days("7") == 7
    monkeypatch.delenv("RETENTION_DAYS")
    assert retention_days() == 30
    for bad in ("0", "-3", "soon"):
        with pytest.raises(ValueError):
            retention_days(bad)


def test_bad_days_give_a_clear_error(profile):
    result = run_retention(profile, "--days", "zero")
    assert result.returncode == 2
    assert "whole number" in result.stderr and "Traceback" not in result.stderr
