"""The retention job (ops/retention.py) deletes the support inbox's messages
past their country's retention days, on SQLite here (PostgreSQL:
tests/production/test_retention.py), with a dry run that deletes nothing,
and leaves a never-created inbox alone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from inbox.store import InboxStore
from ops import retention
from tests.inbox_contract import KEY, Clock, message


@pytest.fixture
def inbox_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'inbox' / 'inbox.db'}"
    monkeypatch.setenv("SUPPORT_INBOX_URL", url)
    monkeypatch.delenv("SUPPORT_INBOX_KEY", raising=False)
    return url


def test_old_messages_go_recent_ones_stay_and_a_dry_run_deletes_nothing(inbox_url):
    now = datetime.now(timezone.utc)
    clock = Clock(now - timedelta(days=31))
    store = InboxStore(inbox_url, KEY, clock=clock)
    old = store.leave(message(conversation_id="old"))
    clock.now = now - timedelta(days=29)
    recent = store.leave(message(conversation_id="recent", country="UK", language="en", contact="07700 900123"))

    dry = retention.delete_old_inbox_messages(dry_run=True)
    assert (dry.messages, dry.deleted) == (1, False)
    assert "would delete (dry run) 1 support inbox message(s)" in dry.report() and "NL 30, UK 30" in dry.report()
    assert {s.reference for s in store.list()} == {old, recent}

    real = retention.delete_old_inbox_messages()
    assert (real.messages, real.deleted) == (1, True) and real.report().startswith("retention: deleted 1 support")
    assert [s.reference for s in store.list()] == [recent]
    assert retention.delete_old_inbox_messages().messages == 0
    store.dispose()


def test_an_inbox_never_created_is_left_alone(inbox_url, tmp_path):
    assert retention.delete_old_inbox_messages().messages == 0
    assert not (tmp_path / "inbox").exists()


def test_the_command_reports_conversations_and_inbox_and_fails_clearly(inbox_url, tmp_path, capsys):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tmp_path / 'rasa.db'}\n")
    InboxStore(inbox_url, KEY).leave(message())
    assert retention.main(["--endpoints", str(endpoints), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would delete (dry run) 0 conversation(s)" in out and "0 support inbox message(s)" in out
    assert retention.main(["--endpoints", str(tmp_path / "none.yml")]) == 2  # no tracker store: inbox still done
    captured = capsys.readouterr()
    assert "retention: error" in captured.err and "deleted 0 support inbox message(s)" in captured.out
    assert retention.main(["--days", "soon"]) == 2
    assert "whole number" in capsys.readouterr().err
