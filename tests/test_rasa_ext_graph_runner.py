"""Contract of the graph_runner piece (rasa_ext/graph_runner.py): the runner without dask
answers exactly as Rasa's DaskGraphRunner does: the same NLU result and
the same bot messages for every turn of 60 mixed conversations in both
languages, red flags and crisis included."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
import rasa.core.processor
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.engine.runner.dask import DaskGraphRunner

import rasa_ext
from bench import conversations
from rasa_ext.graph_runner import STOCK, SequentialGraphRunner, switch
from tests.conftest import rasa_ext_as_before


def load(model_path, runner, monkeypatch) -> Agent:
    monkeypatch.setattr(rasa.core.processor, "DaskGraphRunner", runner)
    agent = Agent.load(str(model_path))
    assert type(agent.processor.graph_runner) is runner
    return agent


def talk(agent: Agent, scripts: List[Dict]) -> List[Any]:
    async def run() -> List[Any]:
        seen = []
        for number, script in enumerate(scripts):
            for turn in script["turns"]:
                channel = CollectingOutputChannel()
                await agent.handle_message(
                    UserMessage(turn["text"], channel, f"c{number}", metadata={"language": script["language"]})
                )
                tracker = await agent.tracker_store.retrieve(f"c{number}")
                parsed = {k: tracker.latest_message.parse_data.get(k) for k in ("intent", "intent_ranking")}
                seen.append(
                    (turn["text"], parsed, [m.get("text") for m in channel.messages], tracker.get_slot("language"))
                )
        return seen

    return asyncio.run(run())


def test_same_answers_as_rasas_dask_runner(model_path, monkeypatch) -> None:
    scripts = conversations.build(count=60, turns=4)
    ours = talk(load(model_path, SequentialGraphRunner, monkeypatch), scripts)
    rasas = talk(load(model_path, DaskGraphRunner, monkeypatch), scripts)
    assert len(ours) == 240
    assert {s[1]["intent"]["name"] for s in ours} >= {"red_flag", "crisis"}
    for mine, theirs in zip(ours, rasas):
        assert mine == theirs


def test_switched_on_by_install_and_off_again() -> None:
    with rasa_ext_as_before():
        rasa_ext.install(["graph_runner"])
        assert rasa.core.processor.DaskGraphRunner is SequentialGraphRunner
        switch(True)  # idempotent
        assert rasa.core.processor.DaskGraphRunner is SequentialGraphRunner
        rasa_ext.install([])
        assert rasa.core.processor.DaskGraphRunner is STOCK is DaskGraphRunner


def test_an_input_naming_a_node_is_refused_as_rasa_refuses_it(model_path, monkeypatch) -> None:
    from rasa.engine.exceptions import GraphRunError

    for runner in (SequentialGraphRunner, DaskGraphRunner):
        processor = load(model_path, runner, monkeypatch).processor
        target = processor.model_metadata.nlu_target
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            processor.graph_runner.run(inputs={"__message__": target}, targets=[target])
