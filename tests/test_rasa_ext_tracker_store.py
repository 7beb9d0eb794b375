"""Contract of the live_tracker_store piece (rasa_ext/tracker_store.py): the
embedded default's tracker store gives
what Rasa's in-memory store gives: the same answers, and after every turn
the kept tracker equals the one Rasa rebuilds from the stored JSON. A
tracker handed out belongs to its reader, so an unsaved change is lost as
in Rasa's store; of a tracker spanning sessions the last session is kept,
as Rasa rebuilds it; new trackers are not kept."""

from __future__ import annotations

import asyncio
import json
from typing import Any, List

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

import rasa_ext
from bench import conversations
from rasa_ext.tracker_store import LiveInMemoryTrackerStore
from tests.conftest import ROOT, rasa_ext_as_before


def state(tracker: DialogueStateTracker) -> Any:
    """Everything about a tracker, as stored (JSON turns tuples into lists)."""
    return json.loads(json.dumps(tracker.current_state(EventVerbosity.ALL)))


@pytest.fixture(scope="module", autouse=True)
def piece_on():
    with rasa_ext_as_before():
        rasa_ext.install(["live_tracker_store"])
        yield


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def test_same_answers_and_state_as_rasas_store(model_path, domain) -> None:
    scripts = conversations.build(count=25, turns=4)
    live = LiveInMemoryTrackerStore(domain)
    agents = {
        "live": Agent.load(str(model_path), tracker_store=live),
        "rasa": Agent.load(str(model_path), tracker_store=InMemoryTrackerStore(domain)),
    }

    async def run(agent: Agent, check: bool) -> List[Any]:
        answers = []
        for number, script in enumerate(scripts):
            for index, turn in enumerate(script["turns"]):
                channel = CollectingOutputChannel()
                await agent.handle_message(
                    UserMessage(turn["text"], channel, f"c{number}", metadata={"language": script["language"]})
                )
                answers.append([m.get("text") for m in channel.messages])
                if check:
                    kept = live._live.get(f"c{number}")
                    assert kept is not None, f"turn {index}: the next read would need a rebuild"
                    assert state(kept) == state(await InMemoryTrackerStore.retrieve(live, f"c{number}"))
        return answers

    assert asyncio.run(run(agents["live"], True)) == asyncio.run(run(agents["rasa"], False))


def test_a_handed_out_tracker_belongs_to_its_reader(domain) -> None:
    store = LiveInMemoryTrackerStore(domain)

    async def scenario() -> None:
        tracker = await store.get_or_create_tracker("s")
        assert "s" not in store._live  # a new tracker is the caller's
        tracker.update(UserUttered("hello", {"name": "greet"}))
        await store.save(tracker)
        first = await store.retrieve("s")
        assert first is tracker and "s" not in store._live
        first.update(SlotSet("language", "nl"))  # changed but never saved (a failed message)
        again = await store.retrieve("s")
        assert again is not first and again.get_slot("language") is None
        assert state(again) == state(await InMemoryTrackerStore.retrieve(store, "s"))

    asyncio.run(scenario())


@pytest.mark.parametrize("before", [["first", "second"], ["slot", "first"]])
def test_of_a_tracker_spanning_sessions_the_last_session_is_kept_as_rasa_rebuilds_it(domain, before) -> None:
    store = LiveInMemoryTrackerStore(domain)
    tracker = DialogueStateTracker("m", domain.slots)
    for text in before:
        if text == "slot":  # a new conversation: session metadata is set before the session starts
            tracker.update(SlotSet("session_started_metadata", {"language": "nl"}))
            continue
        tracker.update_with_events(
            [
                ActionExecuted("action_session_start"),
                SessionStarted(),
                SlotSet("language", "en"),
                ActionExecuted("action_listen"),
                UserUttered(text),
            ],
            domain,
        )
    asyncio.run(store.save(tracker))
    kept = store._live["m"]
    assert kept is not tracker
    assert [e.text for e in kept.events if isinstance(e, UserUttered)] == [before[-1]]
    assert state(kept) == state(asyncio.run(InMemoryTrackerStore.retrieve(store, "m")))


def test_only_the_most_recent_conversations_are_kept(domain, monkeypatch) -> None:
    import rasa_ext.tracker_store as module

    monkeypatch.setattr(module, "LIVE_LIMIT", 3)
    store = LiveInMemoryTrackerStore(domain)
    for name in "abcde":
        tracker = DialogueStateTracker(name, domain.slots)
        tracker.update(UserUttered(f"hi {name}"))
        asyncio.run(store.save(tracker))
    assert list(store._live) == ["c", "d", "e"]
    older = asyncio.run(store.retrieve("a"))  # rebuilt from JSON, nothing lost
    assert older.latest_message.text == "hi a" and len(store.store) == 5


def test_the_embedded_default_uses_it() -> None:
    from ops.local import local_endpoints

    text = local_endpoints("http://127.0.0.1:1")
    assert "LiveInMemoryTrackerStore" in text and "LiveInMemoryTrackerStore" in (ROOT / "endpoints.yml").read_text()


def test_switched_off_it_is_rasas_store(domain) -> None:
    rasa_ext.install([])
    try:
        store = LiveInMemoryTrackerStore(domain)
        tracker = DialogueStateTracker("off", domain.slots)
        tracker.update(UserUttered("hi"))
        asyncio.run(store.save(tracker))
        assert not store._live
        again = asyncio.run(store.retrieve("off"))
        assert again is not tracker and again.latest_message.text == "hi"
    finally:
        rasa_ext.install(["live_tracker_store"])
