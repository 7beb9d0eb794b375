"""The REST channel's pieces: whole-message output and store errors (the
locale a session starts with: tests/test_rasa_ext.py). Its request checks are
chat/request.py's (tests/test_chat_request.py), through the real webhook
in tests/test_bad_input.py."""

from __future__ import annotations

import asyncio

from channels import rest
from channels.rest import store_unavailable
from chat.output import WholeMessageOutputChannel
from chat.request import ChatRequest, rejection


def test_the_channel_uses_the_chat_schema_and_collector() -> None:
    assert (rest.ChatRequest, rest.rejection) == (ChatRequest, rejection)
    assert rest.WholeMessageOutputChannel is WholeMessageOutputChannel


def test_output_keeps_an_answer_with_paragraphs_in_one_message() -> None:
    channel = WholeMessageOutputChannel()
    asyncio.run(channel.send_text_message("a", "First.\n\n- one\n- two\n\nLast."))
    assert [m["text"] for m in channel.messages] == ["First.\n\n- one\n- two\n\nLast."]


def test_output_carries_a_summary_and_link_cards_with_the_text() -> None:
    """A domain response's metadata.summary and an action's cards stay with
    their message (no second message of custom JSON); buttons too."""
    channel = WholeMessageOutputChannel()
    card = {"id": "nhs_111", "name": "NHS 111", "phone": "111"}
    answer = {"text": "Long answer.", "metadata": {"summary": "Short. Sweet."}, "utter_action": "utter_hair_loss"}
    signposts = {"text": "Where to find help:", "cards": [card], "buttons": [{"title": "Go", "payload": "/go"}]}
    asyncio.run(channel.send_response("a", answer))
    asyncio.run(channel.send_response("a", signposts))
    asyncio.run(channel.send_response("a", {"text": "Plain.", "metadata": {}}))
    first, second, third = channel.messages
    assert (first["text"], first["summary"], first["response"]) == ("Long answer.", "Short. Sweet.", "utter_hair_loss")
    assert second["cards"] == [card] and second["buttons"][0]["payload"] == "/go" and "summary" not in second
    assert set(third) == {"recipient_id", "text"}
    assert len(channel.messages) == 3


def test_an_unreachable_store_is_a_503_and_other_errors_a_500() -> None:
    import redis

    try:
        try:
            raise redis.exceptions.ConnectionError("Connection refused")
        except redis.exceptions.ConnectionError as cause:
            raise RuntimeError("could not lock the conversation") from cause
    except RuntimeError as wrapped:
        assert store_unavailable(wrapped)
    assert store_unavailable(ConnectionRefusedError())
    assert not store_unavailable(KeyError("utter_x"))
    assert not store_unavailable(ValueError("bad"))
