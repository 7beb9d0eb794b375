"""The contract of rasa_ext/sql_tracker_store.py, run on SQLite
(tests/test_rasa_ext_sql_store.py) and on PostgreSQL
(tests/production/test_sql_store.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bench import conversations
from rasa_ext.sql_tracker_store import CheckedSQLTrackerStore, FastSQLTrackerStore


def state(tracker: DialogueStateTracker) -> Any:
    """Everything about a tracker, as stored (JSON turns tuples into lists)."""
    return json.loads(json.dumps(tracker.current_state(EventVerbosity.ALL)))


def rows(store: CheckedSQLTrackerStore, sender: str) -> List[Tuple]:
    """A conversation's rows, in id order, without the timestamps (which differ between runs)."""
    with store.session_scope() as session:
        found = session.execute(
            sa.text("SELECT type_name, intent_name, action_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": sender},
        ).all()
    out = []
    for type_name, intent, action, data in found:
        event = json.loads(data)
        event.pop("timestamp", None)
        (event.get("parse_data") or {}).pop("intent_ranking", None)
        out.append((type_name, intent, action, event.get("event"), event.get("name"), event.get("text")))
    return out


def contract(model_path: Path, domain: Domain, make: Callable[[str], Dict[str, Any]], prefix: str) -> None:
    """Same answers and rows as Rasa's store; the kept tracker is Rasa's read."""
    scripts = conversations.build(count=12, turns=4)
    fast = FastSQLTrackerStore(domain, **make("fast"))
    stock = CheckedSQLTrackerStore(domain, **make("stock"))
    agents = {
        "fast": Agent.load(str(model_path), tracker_store=fast),
        "stock": Agent.load(str(model_path), tracker_store=stock),
    }

    async def run(name: str) -> List[Any]:
        answers = []
        for number, script in enumerate(scripts):
            sender = f"{prefix}-{name}-{number}"
            for turn in script["turns"]:
                channel = CollectingOutputChannel()
                message = UserMessage(turn["text"], channel, sender, metadata={"language": script["language"]})
                await agents[name].handle_message(message)
                answers.append([m.get("text") for m in channel.messages])
                if name == "fast":
                    kept = fast._kept.get(sender)
                    assert kept is not None, "the next read would need a replay"
                    assert state(kept.tracker) == state(await CheckedSQLTrackerStore.retrieve(fast, sender))
        return answers

    assert asyncio.run(run("fast")) == asyncio.run(run("stock"))
    for number in range(len(scripts)):
        assert rows(fast, f"{prefix}-fast-{number}") == rows(stock, f"{prefix}-stock-{number}")


def another_server_wrote(domain: Domain, settings: Dict[str, Any], sender: str) -> None:
    """Two servers on one database take turns: each sees the other's events."""
    first, second = FastSQLTrackerStore(domain, **settings), FastSQLTrackerStore(domain, **settings)

    async def turn(store: FastSQLTrackerStore, text: str) -> DialogueStateTracker:
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered(text, {"name": "greet"}))
        await store.save(tracker)
        return tracker

    async def scenario() -> None:
        await turn(first, "one")
        await turn(second, "two")  # first's kept copy is now behind
        tracker = await turn(first, "three")
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["one", "two", "three"]
        read = await CheckedSQLTrackerStore.retrieve(second, sender)
        assert state(read) == state(tracker)
        assert len(rows(first, sender)) == len(read.events)  # nothing stored twice

    asyncio.run(scenario())
