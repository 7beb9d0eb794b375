"""The staff console (staff/console.py) over real HTTP: the Rasa server
and action server on free ports, the console's password from the
environment. Checks the locks (403 without a configured password, 401 with a
wrong one), what a check shows (topic, confidence, candidates, safety layer,
the answer with buttons and links), that no conversation is stored, the CSV
upload, and an action server that is down."""

from __future__ import annotations

import json
import os
import signal
from typing import Any, Dict, List

import pytest

from tests.content_data import response_text
from tests.servers import Assistant, http
from tests.staff_http import basic_auth, multipart

PASSWORD = "correct horse battery staple"
CONSOLE = "/webhooks/console"
CHECKED_SENDERS: List[str] = []


@pytest.fixture(scope="module")
def console(model_path):
    running = Assistant(model_path, env={"STAFF_CONSOLE_PASSWORD": PASSWORD})
    yield running
    running.stop()


def check(
    console: Assistant, text: str, language: str, country: Any = None, password: str = PASSWORD
) -> Dict[str, Any]:
    status, body = http(
        "POST",
        f"{console.url}{CONSOLE}/check",
        json.dumps({"text": text, "language": language, "country": country}).encode(),
        {**basic_auth(password), "Content-Type": "application/json"},
    )
    assert status == 200, body
    CHECKED_SENDERS.append(body["sender_id"])
    return body


def test_every_route_is_403_without_a_configured_password(model_path) -> None:
    closed = Assistant(model_path, with_actions=False, env={"STAFF_CONSOLE_PASSWORD": ""})
    try:
        for method, path in (("GET", "/"), ("GET", ""), ("GET", "/console.js"), ("POST", "/check"), ("POST", "/batch")):
            status, body = http(
                method, f"{closed.url}{CONSOLE}{path}", b"{}" if method == "POST" else None, basic_auth("")
            )
            assert status == 403, (path, status, body)
            assert "console disabled: set STAFF_CONSOLE_PASSWORD" in body
    finally:
        closed.stop()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic_auth("wrong password"),
        basic_auth(PASSWORD[:-1]),
        {"Authorization": "Basic !!not-base64"},
        {"Authorization": f"Bearer {PASSWORD}"},
    ],
    ids=["none", "wrong", "prefix", "malformed", "not-basic"],
)
def test_a_wrong_or_missing_password_is_401(console, headers) -> None:
    for method, path in (("GET", "/"), ("POST", "/check"), ("POST", "/batch")):
        status, body = http(method, f"{console.url}{CONSOLE}{path}", b"{}" if method == "POST" else None, headers)
        assert status == 401, (path, status, body)
        assert "password" in body


def test_the_page_is_served_with_labels_and_no_html_injection(console) -> None:
    status, page = http("GET", f"{console.url}{CONSOLE}/", headers=basic_auth(PASSWORD))
    assert status == 200
    for control in ("text", "language", "country", "csv"):
        assert f'<label for="{control}">' in page and f'id="{control}"' in page
    assert "http://" not in page and "https://" not in page  # no CDN
    status, script = http("GET", f"{console.url}{CONSOLE}/console.js", headers=basic_auth(PASSWORD))
    assert status == 200 and "textContent" in script and "innerHTML" not in script


@pytest.mark.parametrize(
    "text, language, sent_country, country, sign_texts",
    [
        ("my dad is suddenly very confused and his skin looks blotchy", "en", None, "UK", {"confused", "blotchy"}),
        ("mijn moeder is ineens heel verward en ademt snel", "nl", None, "NL", {"verward"}),
        ("my dad is suddenly very confused and his skin looks blotchy", "en", "NL", "NL", {"confused", "blotchy"}),
    ],
)
def test_a_red_flag_shows_the_safety_layer_and_the_fixed_answer(
    console, text, language, sent_country, country, sign_texts
) -> None:
    result = check(console, text, language, sent_country)
    assert result["country"] == country
    assert result["topic"] == "red_flag" and result["confidence"] == 1.0
    assert result["safety_fired"] == "red_flag"
    assert sign_texts <= {w["text"] for w in result["safety_words"]}
    assert all(w["sign"] for w in result["safety_words"])
    assert [m["text"] for m in result["messages"]] == [response_text("utter_red_flag", language, country)]
    assert result["messages"][0]["response"] == "utter_red_flag"


@pytest.mark.parametrize(
    "text, language, country",
    [
        ("ik ben zo moe sinds de ic", "nl", "NL"),
        ("I am so tired since intensive care", "en", "UK"),
    ],
)
def test_a_topic_shows_confidence_candidates_and_the_answer_with_buttons(console, text, language, country) -> None:
    result = check(console, text, language)
    assert result["detected_language"] == language and result["answer_language"] == language
    assert result["topic"] == "fatigue" and 0.5 < result["confidence"] <= 1.0
    assert result["safety_fired"] is None and result["safety_words"] == []
    candidates = result["candidates"]
    assert len(candidates) == 2 and "fatigue" not in {c["name"] for c in candidates}
    assert result["confidence"] >= candidates[0]["confidence"] >= candidates[1]["confidence"]
    messages = result["messages"]
    assert messages[0]["text"] == response_text("utter_fatigue", language, country)
    assert messages[-1]["text"] == response_text("utter_ask_fatigue_since", language, country)
    assert {b["payload"] for b in messages[-1]["buttons"]} == {"/duration_short", "/duration_medium", "/duration_long"}
    assert all(b["title"] for b in messages[-1]["buttons"])
    links = [link for m in messages for link in m["links"]]
    assert links and all(link.startswith("https://") and any(link in m["text"] for m in messages) for link in links)
    assert result["action_server"]["reachable"] is True
    assert "action_signpost" in result["action_server"]["used_by"]


def test_bad_input_gets_a_clear_400(console) -> None:
    auth = {**basic_auth(PASSWORD), "Content-Type": "application/json"}
    for body, expected in (
        (b"not json", "JSON"),
        (b"[]", "text"),
        (json.dumps({"text": " ", "language": "nl"}).encode(), "message"),
        (json.dumps({"text": "\u0000\u001b", "language": "nl"}).encode(), "message"),
        (json.dumps({"text": "x" * 5001, "language": "nl"}).encode(), "longer than 5000"),
        (json.dumps({"text": "hallo", "language": "fr"}).encode(), "language"),
        (json.dumps({"text": "hallo", "language": "nl", "country": "BE"}).encode(), "country"),
    ):
        status, answer = http("POST", f"{console.url}{CONSOLE}/check", body, auth)
        assert status == 400 and expected in answer["error"], (body, answer)
    status, answer = http(
        "POST",
        f"{console.url}{CONSOLE}/check",
        b"text=hallo&language=nl",
        {**basic_auth(PASSWORD), "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert status == 415 and "JSON" in answer["error"], answer


def test_a_check_is_held_to_the_chat_rules() -> None:
    """The console's {"text", "language", "country"} goes through chat/request.py."""
    from pydantic import ValidationError

    from chat.request import rejection
    from staff.console import check_request

    chat = check_request(json.dumps({"text": " ik ben\u0000moe ", "language": "nl"}).encode(), None)
    assert (chat.message, chat.language, chat.country) == (" ik ben moe ", "nl", None)
    for body, error in (
        (b"[]", 'The body must be a JSON object: {"text": "...", "language": "nl"}.'),
        (b'{"language": "nl"}', "'message' must be a non-empty string."),
        (b'{"text": "\\ud800", "language": "nl"}', "'message' is not valid Unicode text."),
    ):
        with pytest.raises(ValidationError) as raised:
            check_request(body, "application/json")
        assert rejection(raised.value).message == error


def test_checks_create_no_conversation_in_the_tracker_store(console) -> None:
    token = f"?token={console.token}"

    def user_events(sender: str) -> List[Dict[str, Any]]:
        status, tracker = http("GET", f"{console.url}/conversations/{sender}/tracker{token}")
        assert status == 200, tracker
        return [e for e in tracker["events"] if e["event"] in ("user", "bot")]

    # Control: a REST conversation is stored and visible this way.
    console.say("staff-control", "ik ben zo moe sinds de ic", language="nl")
    assert user_events("staff-control")
    check(console, "I am so tired since intensive care", "en")
    for sender in CHECKED_SENDERS:
        assert user_events(sender) == [], sender


def test_the_console_upload_returns_the_batch_report(console) -> None:
    csv = (
        "text,language,expected\n"
        "ik ben zo moe sinds de ic,nl,fatigue\n"
        "my dad is suddenly very confused and his skin looks blotchy,en,red_flag\n"
        "what is sepsis,en,red_flag\n"
    ).encode()
    body, content_type = multipart("csv", "phrases.csv", csv)
    status, report = http(
        "POST", f"{console.url}{CONSOLE}/batch", body, {**basic_auth(PASSWORD), "Content-Type": content_type}
    )
    assert status == 200, report
    assert "<h1>Batch check: phrases.csv</h1>" in report
    assert report.count('src="data:image/png;base64,') == 2
    assert "should have fired" in report and "safety layer fired" in report
    assert "http://" not in report.split("<h2>Every phrase</h2>")[0].replace("http://127.0.0.1", "")


def test_a_bad_upload_names_the_line(console) -> None:
    body, content_type = multipart("csv", "bad.csv", b"text,language\nhallo,nl\nhello,fr\n")
    status, answer = http(
        "POST", f"{console.url}{CONSOLE}/batch", body, {**basic_auth(PASSWORD), "Content-Type": content_type}
    )
    assert status == 400 and "line 3" in answer and "language" in answer
    status, answer = http(
        "POST",
        f"{console.url}{CONSOLE}/batch",
        b"",
        {**basic_auth(PASSWORD), "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert status == 400 and '"csv"' in answer


def test_an_action_server_that_is_down_is_shown(console) -> None:
    """Stops the console's action server: keep this test last in the module."""
    actions = console.processes[0]
    os.killpg(actions.pid, signal.SIGTERM)
    actions.wait(timeout=20)
    result = check(console, "I am so tired since intensive care", "en")
    server = result["action_server"]
    assert server["reachable"] is False and "cannot reach" in server["error"]
    assert "action_signpost" in server["used_by"]
    assert result["messages"][0]["text"] == response_text("utter_fatigue", "en", "UK")
    flag = check(console, "my dad is suddenly very confused and his skin looks blotchy", "en")
    assert flag["messages"][0]["text"] == response_text("utter_red_flag", "en", "UK")
    assert flag["action_server"]["used_by"] == []
