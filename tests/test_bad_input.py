"""Bad and odd input through the real REST webhook (the widget's path): each
request gets a clear answer or a clear 4xx error, and the server keeps
serving the conversations around it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.servers import Assistant, http
from tests.strategies import CONTENT_TYPES, EXAMPLES, REQUESTS, fuzz


@pytest.fixture(scope="module")
def assistant(model_path):
    running = Assistant(model_path)
    yield running
    running.stop()


def body(**payload) -> bytes:
    return json.dumps(payload).encode()


REFUSED = {
    "empty body": (b"", "application/json", 400),
    "whitespace message": (body(sender="w", message=" \n\t "), "application/json", 400),
    "100 kB message": (body(sender="w", message="moe " * 25_000), "application/json", 413),
    "2 MB body": (b"x" * 2_000_000, "application/json", 413),
    "binary": (bytes(range(256)) * 4, "application/octet-stream", 415),
    "binary sent as JSON": (bytes(range(256)) * 4, "application/json", 400),
    "invalid UTF-8": (b'{"sender": "w", "message": "\xc3\x28 moe"}', "application/json", 400),
    "lone surrogate": (b'{"sender": "w", "message": "\\udc80"}', "application/json", 400),
    "malformed JSON": (b'{"sender": "w", "message": ', "application/json", 400),
    "JSON array": (b'["w", "hallo"]', "application/json", 400),
    "JSON string": (b'"hallo"', "application/json", 400),
    "message is a number": (body(sender="w", message=42), "application/json", 400),
    "message is null": (body(sender="w", message=None), "application/json", 400),
    "sender is an object": (body(sender={"id": 1}, message="hoi"), "application/json", 400),
    "metadata is a list": (body(sender="w", message="hoi", metadata=["nl"]), "application/json", 400),
    "deeply nested JSON": (
        b'{"sender": "w", "message": "hoi", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        "application/json",
        400,
    ),
    "wrong content type": (body(sender="w", message="hoi"), "multipart/form-data; boundary=x", 415),
    "huge sender id": (body(sender="s" * 10_000, message="hoi"), "application/json", 400),
    "sender with a newline": (body(sender="a\nb", message="hoi"), "application/json", 400),
    "sender with NUL": (body(sender="a\u0000b", message="hoi"), "application/json", 400),
}


@pytest.mark.parametrize("raw,content_type,status", REFUSED.values(), ids=REFUSED.keys())
def test_bad_requests_get_a_clear_4xx(assistant, raw: bytes, content_type: str, status: int) -> None:
    got, answer = assistant.post_raw(raw, content_type)
    assert got == status, answer
    if got != 413 or len(raw) < 1_000_000:  # Sanic itself refuses the 2 MB body, before our checks
        assert isinstance(answer, dict) and answer["error"], answer


ANSWERED = {
    "HTML and script": ("<script>alert('x')</script><img src=x onerror=alert(1)> ik ben moe", "nl"),
    "SQL-looking text": ("'; DROP TABLE events; -- I am so tired", "en"),
    "emoji only": ("🙂🙂🙏", "en"),
    "emoji with a question": ("😩 mijn haar valt uit 😢", "nl"),
    "Arabic, right to left": ("مرحبا، أنا متعب جدا بعد الإنتان", "en"),
    "Hebrew with an override mark": ("\u202eשלום I am tired", "en"),
    "control characters": ("ik ben\u0000 moe\u001b[31m", "nl"),
    "a single character": ("?", "nl"),
    "5000 characters": ("tired " * 833, "en"),
    "zero-width characters": ("hair\u200b loss\u200d after sepsis", "en"),
}


@pytest.mark.parametrize("text,language", ANSWERED.values(), ids=ANSWERED.keys())
def test_odd_messages_get_an_answer(assistant, text: str, language: str) -> None:
    answer = assistant.say(f"odd-{abs(hash(text))}", text, language=language)
    assert answer and all(isinstance(m.get("text"), str) and m["text"] for m in answer)
    assert all("<script" not in m["text"] and "DROP TABLE" not in m["text"] for m in answer)


@pytest.mark.parametrize(
    "sender", ["🙂-visitor", "../../etc/passwd", "'; DROP TABLE events; --", "ʇuǝɯǝlqɐ", "x" * 128, "%00%2F"]
)
def test_odd_sender_ids_keep_their_own_conversation(assistant, sender: str) -> None:
    assert assistant.say(sender, "mijn haar valt uit", language="nl")[-1]["response"] == "utter_ask_hair_duration"
    assistant.say(sender[:100] + "-other", "ik ben zo moe", language="nl")
    assert assistant.say(sender, "ja", language="nl")[0]["response"] == "utter_hair_see_gp"


def test_wrong_method_is_refused_and_the_server_keeps_serving(assistant) -> None:
    assert http("GET", f"{assistant.url}/webhooks/rest/webhook")[0] == 405
    for raw, content_type, _ in REFUSED.values():
        assistant.post_raw(raw, content_type)
    answer = assistant.say("after-the-storm", "I am so tired since intensive care", language="en")
    assert answer[0]["response"] == "utter_fatigue"
    assert http("GET", f"{assistant.url}/status?token={assistant.token}")[0] == 200


@fuzz(EXAMPLES // 4)
@given(
    raw=st.one_of(REQUESTS.map(lambda r: json.dumps(r).encode("utf-8", "surrogatepass")), st.binary(max_size=500)),
    content_type=CONTENT_TYPES,
)
def test_fuzzed_requests_never_break_the_server(assistant, raw: bytes, content_type) -> None:
    status, answer = assistant.post_raw(raw, content_type or "application/json")
    assert status in (200, 400, 413, 415), (status, answer)
    if status == 200:
        assert isinstance(answer, list) and all(isinstance(m, dict) for m in answer)
    else:
        assert answer["error"]
