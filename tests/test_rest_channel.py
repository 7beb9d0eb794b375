"""The REST channel's request checks and whole-message output."""
from __future__ import annotations

import asyncio
import json

import pytest

from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, UserUttered

from channels.rest import (
    MAX_MESSAGE_CHARS, WholeMessageOutputChannel, parse_request, payload_with_locale, starts_session,
)


def body(**payload) -> bytes:
    return json.dumps(payload).encode()


@pytest.mark.parametrize("raw,error", [
    (b"", "The body must be a JSON object"),
    (b"{not json", "The body must be JSON"),
    (b"\xff\xfe\x00", "The body must be JSON"),
    (b"[1, 2]", "The body must be a JSON object"),
    (body(message="hi"), "'sender' must be"),
    (body(sender="", message="hi"), "'sender' must be"),
    (body(sender=5, message="hi"), "'sender' must be"),
    (body(sender="x" * 500, message="hi"), "'sender' is longer"),
    (body(sender="a"), "'message' must be"),
    (body(sender="a", message="   "), "'message' must be"),
    (body(sender="a", message=["hi"]), "'message' must be"),
    (body(sender="a", message="x" * (MAX_MESSAGE_CHARS + 1)), "'message' is longer"),
    (body(sender="a", message="hi", metadata="nl"), "'metadata' must be"),
    (body(sender="a", message="hi", metadata={"x": "y" * 5000}), "'metadata' is larger"),
])
def test_bad_requests_get_a_clear_error(raw: bytes, error: str) -> None:
    parsed, message = parse_request(raw)
    assert parsed is None and message.startswith(error)


@pytest.mark.parametrize("text", ["hallo", "<script>alert(1)</script>", "🙂 ik ben moe", "مرحبا", "x" * MAX_MESSAGE_CHARS])
def test_good_requests_pass_unchanged(text: str) -> None:
    parsed, error = parse_request(body(sender=" a ", message=text, metadata={"language": "nl"}))
    assert error is None
    assert parsed == {"sender": "a", "message": text, "metadata": {"language": "nl"}}


def test_output_keeps_an_answer_with_paragraphs_in_one_message() -> None:
    channel = WholeMessageOutputChannel()
    asyncio.run(channel.send_text_message("a", "First.\n\n- one\n- two\n\nLast."))
    assert [m["text"] for m in channel.messages] == ["First.\n\n- one\n- two\n\nLast."]


def user(at: float) -> UserUttered:
    return UserUttered("hi", timestamp=at)


@pytest.mark.parametrize("events,now,expected", [
    ([], 1000.0, True),                                                       # new conversation
    ([SessionStarted(), ActionExecuted("action_listen")], 1000.0, True),     # started, no message yet
    ([SessionStarted(), user(1000.0)], 1010.0, False),                         # same session
    ([SessionStarted(), user(1000.0)], 1000.0 + 61 * 60, True),                # expired after 60 min
    ([SessionStarted(), user(1000.0), Restarted()], 1010.0, True),             # restarted
])
def test_first_message_of_a_session_is_recognised(events, now, expected) -> None:
    assert starts_session(events, 60, now) is expected


@pytest.mark.parametrize("text,metadata,expected", [
    ("/greet", {"language": "nl", "session_start": True}, '/greet{"language": "nl", "country": "NL"}'),
    ("/greet", {"language": "en", "country": "NL", "session_start": True}, '/greet{"language": "en", "country": "NL"}'),
    ("/affirm", {"language": "nl", "session_start": False}, "/affirm"),
    ("/affirm", {"country": "uk"}, '/affirm{"country": "UK"}'),
    ('/inform_postcode{"postcode": "BN3"}', {"language": "nl", "session_start": True}, '/inform_postcode{"postcode": "BN3"}'),
    ("hallo", {"language": "nl", "session_start": True}, "hallo"),
])
def test_button_payloads_carry_the_metadata_locale(text, metadata, expected) -> None:
    assert payload_with_locale(text, metadata) == expected
