"""The REST channel's request checks and whole-message output."""
from __future__ import annotations

import asyncio
import json

import pytest

from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, UserUttered

from channels.rest import (
    MAX_MESSAGE_CHARS, WholeMessageOutputChannel, parse_request, payload_with_locale, starts_session,
    store_unavailable,
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
    parsed, rejection = parse_request(raw)
    assert parsed is None and rejection.status == 400 and rejection.message.startswith(error)


@pytest.mark.parametrize("raw,content_type,status,error", [
    (body(sender="a", message="x" * 70_000), "application/json", 413, "The request is larger than 64 kB"),
    (b"sender=a&message=hi", "multipart/form-data; boundary=x", 415, "The body must be JSON"),
    (body(sender="a", message="hi"), "application/xml", 415, "The body must be JSON"),
    (b'{"sender": "a", "message": "\\ud800"}', "application/json", 400, "'message' is not valid Unicode"),
    (b'{"sender": "a\\u0000b", "message": "hi"}', "application/json", 400, "'sender' may only contain printable"),
    (b'{"sender": "a\\nb", "message": "hi"}', "application/json", 400, "'sender' may only contain printable"),
    (body(sender="a", message="\x00\x1b "), "application/json", 400, "'message' must be a non-empty"),
    (b"[" * 100_00 + b"]" * 100_00, "application/json", 400, "The body must be"),
])
def test_odd_requests_get_the_right_status(raw: bytes, content_type: str, status: int, error: str) -> None:
    parsed, rejection = parse_request(raw, content_type)
    assert parsed is None and rejection.status == status
    assert rejection.message.startswith(error)


@pytest.mark.parametrize("content_type", [None, "application/json; charset=utf-8", "text/plain",
                                          "application/x-www-form-urlencoded"])
def test_json_is_accepted_with_the_content_types_clients_send(content_type) -> None:
    parsed, rejection = parse_request(body(sender="a", message="hoi"), content_type)
    assert rejection is None and parsed["message"] == "hoi"


def test_control_characters_in_a_message_become_spaces() -> None:
    parsed, _ = parse_request(body(sender="a", message="ik ben\x00moe\x1b[31m\nnu"))
    assert parsed["message"] == "ik ben moe [31m\nnu"


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
