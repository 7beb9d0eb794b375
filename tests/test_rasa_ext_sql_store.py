"""Contract of the sql_tracker_store piece (rasa_ext/sql_tracker_store.py),
on SQLite here and on PostgreSQL in tests/production/test_sql_store.py:
recorded conversations give the same answers and the same stored rows as
with Rasa's SQL store, and after every turn the kept tracker equals the one
Rasa reads back; a conversation that another server answered is read
again; a handed-out tracker belongs to its reader; and a message costs a
few statements and no replay."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest
import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import rasa_ext
from rasa_ext.sql_tracker_store import INDEX_NAME, CheckedSQLTrackerStore, FastSQLTrackerStore
from tests.conftest import ROOT, rasa_ext_as_before
from tests.sql_store_contract import another_server_wrote, contract, state


@pytest.fixture(scope="module", autouse=True)
def piece_on():
    with rasa_ext_as_before():
        rasa_ext.install(["sql_tracker_store"])
        yield


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def sqlite(tmp_path: Path) -> Callable[[str], Dict[str, Any]]:
    """Settings of a new SQLite database file, by name."""
    return lambda name: {"dialect": "sqlite", "db": str(tmp_path / f"{name}.db")}


def test_same_answers_rows_and_state_as_rasas_sql_store(model_path, domain, sqlite) -> None:
    contract(model_path, domain, sqlite, "sqlite")


def test_a_conversation_another_server_answered_is_read_again(domain, sqlite) -> None:
    another_server_wrote(domain, sqlite("shared"), "moved")


def test_a_handed_out_tracker_belongs_to_its_reader(domain, sqlite) -> None:
    store = FastSQLTrackerStore(domain, **sqlite("reader"))

    async def scenario() -> None:
        tracker = await store.get_or_create_tracker("s")
        tracker.update(UserUttered("hello", {"name": "greet"}))
        await store.save(tracker)
        first = await store.retrieve("s")
        assert first is tracker
        first.update(SlotSet("language", "nl"))  # changed but never saved (a failed message)
        again = await store.retrieve("s")
        assert again is not first and again.get_slot("language") is None
        assert state(again) == state(await CheckedSQLTrackerStore.retrieve(store, "s"))

    asyncio.run(scenario())


def say(agent: Agent, text: str) -> None:
    """One English message of the conversation `counted`."""
    channel = CollectingOutputChannel()
    asyncio.run(agent.handle_message(UserMessage(text, channel, "counted", metadata={"language": "en"})))


def test_a_message_costs_few_statements_and_no_replay(model_path, domain, sqlite, monkeypatch) -> None:
    """Per message after the first: one id check, one insert, one id read
    (Rasa's store: a full read and replay, a recount, and one insert per event)."""
    statements: List[str] = []
    replays: List[str] = []
    stores = {
        "fast": FastSQLTrackerStore(domain, **sqlite("count-fast")),
        "stock": CheckedSQLTrackerStore(domain, **sqlite("count-stock")),
    }
    for store in stores.values():
        sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    original = DialogueStateTracker.from_dict.__func__  # type: ignore[attr-defined]

    def counted(cls, *args, **kwargs):
        replays.append("replay")
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(DialogueStateTracker, "from_dict", classmethod(counted))
    measured: Dict[str, Tuple[int, int]] = {}
    for name, store in stores.items():
        agent = Agent.load(str(model_path), tracker_store=store)
        for text in ("hello", "my hair is falling out", "yes"):
            say(agent, text)
        statements.clear()
        replays.clear()
        say(agent, "thank you")
        measured[name] = (len(statements), len(replays))
    print(f"\nstatements, replays per message: fast {measured['fast']}, Rasa's SQL store {measured['stock']}")
    assert measured["fast"][1] == 0 and measured["stock"][1] >= 1
    assert measured["fast"][0] <= 3 < measured["stock"][0]


def test_the_index_is_made_once_and_off_means_rasas_store(domain, sqlite) -> None:
    settings = sqlite("index")
    FastSQLTrackerStore(domain, **settings)
    store = FastSQLTrackerStore(domain, **settings)  # a second server: no error
    assert INDEX_NAME in {i["name"] for i in sa.inspect(store.engine).get_indexes("events")}
    with rasa_ext_as_before():
        rasa_ext.install([])

        async def scenario() -> None:
            tracker = await store.get_or_create_tracker("off")
            tracker.update(UserUttered("hello", {"name": "greet"}))
            await store.save(tracker)
            assert store._kept == {} and (await store.retrieve("off")) is not tracker

        asyncio.run(scenario())


class Outage:
    """Switch a store's database off and on: while off, every statement
    fails as a lost PostgreSQL connection does."""

    def __init__(self, store: CheckedSQLTrackerStore) -> None:
        self.down = False
        sa.event.listen(store.engine, "before_cursor_execute", self._refuse)

    def _refuse(self, *args: Any) -> None:
        if self.down:
            raise sa.exc.OperationalError("SELECT", {}, ConnectionRefusedError("the database is down"))


def turn(store: FastSQLTrackerStore, sender: str, text: str) -> DialogueStateTracker:
    """One message as Rasa's processor handles it, with Rasa's fail-safe
    wrapper: read (a failed read is a new conversation), change, save."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    safe = FailSafeTrackerStore(store)

    async def go() -> DialogueStateTracker:
        tracker = await safe.get_or_create_tracker(sender)
        tracker.update(UserUttered(text, {"name": "greet"}))
        await safe.save(tracker)
        return tracker

    return asyncio.run(go())


def user_texts(store: CheckedSQLTrackerStore, sender: str) -> List[str]:
    with store.session_scope() as session:
        found = session.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"), {"s": sender}
        ).all()
    return [json.loads(data)["text"] for (data,) in found]


def test_an_outage_keeps_the_history_and_stores_every_event_once(domain, sqlite, tmp_path) -> None:
    store = FastSQLTrackerStore(domain, journal_dir=str(tmp_path / "journal"), **sqlite("outage"))
    outage = Outage(store)
    turn(store, "known", "before")
    outage.down = True
    during = turn(store, "known", "during")  # goes on from the kept copy
    assert [e.text for e in during.events if isinstance(e, UserUttered)] == ["before", "during"]
    turn(store, "known", "still during")
    turn(store, "new", "hello while down")  # unknown here: a new conversation, kept on disk
    assert store._journal is not None and store._journal.count > 0
    outage.down = False
    after = turn(store, "known", "after")
    assert user_texts(store, "known") == ["before", "during", "still during", "after"]
    assert user_texts(store, "new") == ["hello while down"]
    assert state(after) == state(asyncio.run(CheckedSQLTrackerStore.retrieve(store, "known")))
    assert store._journal.count == 0 and store._journal.path.read_text() == ""
    ids = [r[0] for r in store.engine.execute(sa.text("SELECT id FROM events WHERE sender_id = 'known'"))]
    assert len(ids) == len(after.events)  # none twice


def test_rows_written_but_not_cleared_are_not_stored_twice(domain, sqlite, tmp_path) -> None:
    """A server that stopped after writing its journal but before clearing
    it leaves an orphan file; the next server skips what is stored."""
    journal = tmp_path / "journal"
    first = FastSQLTrackerStore(domain, journal_dir=str(journal), **sqlite("crash"))
    outage = Outage(first)
    turn(first, "c", "one")
    outage.down = True
    turn(first, "c", "two")
    left = first._journal.path.read_text()
    outage.down = False
    turn(first, "c", "three")  # writes the journal, then clears it
    first._journal.path.write_text(left)  # ... as if it had stopped before clearing
    first._journal._file.close()  # the server stops: its lock is gone
    second = FastSQLTrackerStore(domain, journal_dir=str(journal), **sqlite("crash"))
    turn(second, "c", "four")
    assert user_texts(second, "c") == ["one", "two", "three", "four"]
    assert not first._journal.path.exists()  # the orphan was written and removed
