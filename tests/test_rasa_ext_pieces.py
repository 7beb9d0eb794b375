"""Contracts of the action_failures and dry_run pieces: the same messages
through stock Rasa and through the piece give the same answers.

- action_failures (rasa_ext/action_failures.py) only listens: with the
  action server unreachable Rasa answers the same with and without it, and
  it names exactly the custom actions Rasa ran and dropped.
- dry_run (rasa_ext/dry_run.py) answers a message on a tracker that is
  never saved exactly as `handle_message` does on a saved one."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, List, Tuple

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted

import rasa_ext
from ops.local import action_endpoint, free_port
from rasa_ext.action_failures import watch_action_failures
from rasa_ext.dry_run import answer_unsaved
from tests.conftest import rasa_ext_as_before

MESSAGES = [
    ("I'm so tired since the ICU", "en"),
    ("mijn haar valt uit na de sepsis", "nl"),
    ("my dad is confused and breathing very fast", "en"),
    ("ik wil niet meer leven", "nl"),
    ("hoi", "nl"),
    ("who can I complain to about my care?", "en"),
]


@pytest.fixture(autouse=True)
def as_before():
    with rasa_ext_as_before():
        yield


@pytest.fixture(scope="module")
def unreachable_actions(model_path) -> Agent:
    """An agent whose action server does not answer (nothing listens on the port)."""
    return Agent.load(str(model_path), action_endpoint=action_endpoint(f"http://127.0.0.1:{free_port()}/webhook"))


def talk(agent: Agent, pieces: List[str]) -> List[Tuple[Any, List[str]]]:
    rasa_ext.install(pieces)

    async def run():
        seen = []
        for text, language in MESSAGES:
            channel = CollectingOutputChannel()
            with watch_action_failures() as failed:
                await agent.handle_message(
                    UserMessage(text, channel, uuid.uuid4().hex, metadata={"language": language})
                )
            seen.append(([m.get("text") for m in channel.messages], list(failed)))
        return seen

    return asyncio.run(run())


def test_action_failures_only_listens_and_names_the_dropped_actions(unreachable_actions) -> None:
    with_piece = talk(unreachable_actions, ["action_failures"])
    stock = talk(unreachable_actions, [])
    assert [answer for answer, _ in with_piece] == [answer for answer, _ in stock]
    assert all(failed == [] for _, failed in stock)
    named = {name for _, failed in with_piece for name in failed}
    custom = set(unreachable_actions.processor.domain.user_actions) - set(
        unreachable_actions.processor.domain.responses
    )
    assert named and named <= custom and "action_signpost" in named


def answers(agent: Agent, piece_on: bool) -> List[Any]:
    rasa_ext.install(["dry_run"] if piece_on else [])

    async def run():
        seen = []
        for text, language in MESSAGES:
            channel = CollectingOutputChannel()
            sender = uuid.uuid4().hex
            message = UserMessage(text, channel, sender, metadata={"language": language})
            tracker, start = await answer_unsaved(agent.processor, message)
            actions = [e.action_name for e in list(tracker.events)[start:] if isinstance(e, ActionExecuted)]
            saved = await agent.tracker_store.retrieve(sender)
            seen.append(
                (
                    tracker.latest_message.intent.get("name"),
                    actions,
                    [m.get("text") for m in channel.messages],
                    tracker.get_slot("language"),
                    saved is not None,
                )
            )
        return seen

    return asyncio.run(run())


def test_dry_run_answers_as_handle_message_without_saving(unreachable_actions) -> None:
    unsaved, stock = answers(unreachable_actions, True), answers(unreachable_actions, False)
    assert [row[:4] for row in unsaved] == [row[:4] for row in stock]
    assert {row[0] for row in unsaved} >= {"fatigue", "red_flag", "crisis"}
    assert not any(row[4] for row in unsaved) and all(row[4] for row in stock)
