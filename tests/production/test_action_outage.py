"""The notice for a failed custom action (channels/action_outage.py): its
text in both languages with the helpline and emergency number of the
user's country from content/contacts.yml, and failures noted only for the
message being handled. The real action server down: test_services.py."""

from __future__ import annotations

import asyncio
import logging

import pytest

from base.content import organisations
from channels.action_outage import NOTICE_RESPONSE, outage_notice
from rasa_ext.action_failures import PROCESSOR_LOGGER, watch_action_failures


class Tracker:
    def __init__(self, **slots):
        self.slots = slots

    def get_slot(self, name):
        return self.slots.get(name)


@pytest.mark.parametrize(
    "language,country,facts",
    [
        ("en", "UK", [organisations()["sepsis_trust_helpline"]["phone"], organisations()["emergency_uk"]["phone"]]),
        ("nl", "UK", [organisations()["sepsis_trust_helpline"]["phone"], organisations()["emergency_uk"]["phone"]]),
        ("nl", "NL", [organisations()["sepsis_en_daarna"]["url"], organisations()["emergency_nl"]["phone"]]),
        ("en", "NL", [organisations()["sepsis_en_daarna"]["url"], organisations()["emergency_nl"]["phone"]]),
    ],
)
def test_notice_names_the_helpline_of_the_users_country(language, country, facts):
    notice = outage_notice("someone", Tracker(language=language, country=country))
    assert notice["recipient_id"] == "someone" and notice["response"] == NOTICE_RESPONSE
    for fact in facts:
        assert fact in notice["text"]
    assert notice["text"].startswith("Sorry, door" if language == "nl" else "Sorry, part")


def test_notice_without_a_conversation_is_english_for_the_uk():
    assert organisations()["sepsis_trust_helpline"]["phone"] in outage_notice("x", None)["text"]


def fail(action: str) -> None:
    try:
        raise RuntimeError("connection refused")
    except RuntimeError:
        logging.getLogger(PROCESSOR_LOGGER).exception(
            f"Encountered an exception while running action '{action}'.Bot will continue"
        )


@pytest.fixture
def piece_on():
    import rasa_ext
    from tests.conftest import rasa_ext_as_before

    with rasa_ext_as_before():
        rasa_ext.install(["action_failures"])
        yield


def test_failures_are_noted_per_message_only(piece_on):
    fail("action_before")  # outside any message: nobody notes it
    with watch_action_failures() as failures:
        logging.getLogger(PROCESSOR_LOGGER).error("an error without a trace")
        fail("action_signpost")
    assert failures == ["action_signpost"]

    async def message(action):
        with watch_action_failures() as noted:
            await asyncio.sleep(0.01)
            if action:
                fail(action)
            await asyncio.sleep(0.01)
        return noted

    async def both():
        return await asyncio.gather(message("action_show_menu"), message(None))

    assert asyncio.run(both()) == [["action_show_menu"], []]
