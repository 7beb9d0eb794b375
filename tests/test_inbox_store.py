"""The support inbox store on SQLite (the embedded default): the shared
contract (tests/inbox_contract.py), and two processes on one database
file as the action server (writing) and the Rasa server's staff console
(reading) use it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from base.paths import PROJECT_ROOT, rasa_env
from inbox.store import InboxStore
from tests.inbox_contract import KEY, TEAMS, StoreContract, message


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def make_store(self, tmp_path):
        stores = []

        def make(clock, key=KEY, support_teams=TEAMS):
            stores.append(
                InboxStore(f"sqlite:///{tmp_path / 'inbox.db'}", key, support_teams=support_teams, clock=clock)
            )
            return stores[-1]

        yield make
        for store in stores:
            store.dispose()


def test_one_process_writes_while_another_reads(tmp_path):
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    reader = InboxStore(url, KEY)
    reader.list()  # creates the tables
    writer = textwrap.dedent(
        f"""
        from inbox.store import InboxStore
        from tests.inbox_contract import message
        store = InboxStore({url!r}, {KEY!r})
        for number in range(30):
            store.leave(message(conversation_id=f"c{{number}}", contact=f"06 123456{{number:02}}"))
        """
    )
    process = subprocess.Popen([sys.executable, "-c", writer], cwd=PROJECT_ROOT, env=rasa_env())
    reads = 0
    while process.poll() is None:
        for summary in reader.list()[:3]:
            reader.open(summary.id, "anna", "reader")
        reads += 1
    assert process.returncode == 0
    assert len(reader.list()) == 30 and reads > 0
    with reader.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    reader.dispose()


def test_the_database_directory_is_created_private(tmp_path):
    store = InboxStore(f"sqlite:///{tmp_path / 'new' / 'inbox.db'}", KEY)
    store.leave(message())
    assert (tmp_path / "new").stat().st_mode & 0o077 == 0
    store.dispose()


def test_a_store_without_key_can_purge_but_not_read(tmp_path):
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    InboxStore(url, KEY).leave(message())
    keyless = InboxStore(url)
    assert keyless.purge() == 0 and len(keyless.pending_notifications()) == 1
    with pytest.raises(ValueError, match="SUPPORT_INBOX_KEY"):
        keyless.list()
    with pytest.raises(ValueError, match="not a database URL"):
        InboxStore("not a url", KEY)
