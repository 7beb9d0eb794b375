"""`rasa test core` replays a story with the intent written in it and checks
only the actions; it does not check that the message would get that intent.
For the stories that matter most (the safety stories and the messages that
went wrong before catalogue version 2) this test parses every typed message
with the trained model and checks the intent."""

from __future__ import annotations

import asyncio
from typing import List, Tuple

import pytest
import yaml

from tests.conftest import ROOT

FILES = ("safety.yml", "regressions_v2.yml")


def typed_messages() -> List[Tuple[str, str, str]]:
    """(story, text, intent) of every typed user message of FILES."""
    found = []
    for name in FILES:
        for story in yaml.safe_load((ROOT / "eval" / "stories" / name).read_text(encoding="utf-8"))["stories"]:
            for step in story["steps"]:
                text = (step.get("user") or "").strip()
                if text and not text.startswith("/"):
                    found.append((story["story"], text, step["intent"]))
    return found


@pytest.mark.parametrize("story,text,intent", typed_messages(), ids=[s for s, _, _ in typed_messages()])
def test_the_story_message_gets_its_intent(agent, story: str, text: str, intent: str) -> None:
    parsed = asyncio.run(agent.parse_message(text))
    assert parsed["intent"]["name"] == intent, (story, parsed["intent"], parsed.get("safety"))


def test_the_stories_have_messages_to_check() -> None:
    assert len(typed_messages()) >= 25
