"""The staff inbox (staff/inbox.py) over real HTTP: the console channel in
a Sanic server (tests/inbox_app.py, no model), messages left through the
inbox store on SQLite. The locks (403 without a configured password, 401
with a wrong one), the roles (a reader reads, only staff handle), the list's
order, a message with the conversation that led to it, the audit log,
HTML and script kept as text, bad input, and an inbox that is off."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict

import pytest

from staff.console_http import login_for
from tests.inbox_app import (
    CONVERSATIONS,
    READER_PASSWORD,
    SCRIPT_TEXT,
    STAFF_PASSWORD,
    InboxConsole,
    demo_inbox,
    inbox_env,
)
from tests.servers import http
from tests.staff_http import basic_auth

pytestmark = pytest.mark.slow  # starts servers
STAFF = basic_auth(STAFF_PASSWORD, user="ben")
READER = basic_auth(READER_PASSWORD, user="anna")
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    """A console with the demo messages: (server, {conversation id: reference})."""
    with demo_inbox(tmp_path_factory.mktemp("inbox")) as running:
        yield running


def get(url: str, headers: Dict[str, str] = STAFF) -> Any:
    return http("GET", url, headers=headers)


def listing(server: InboxConsole, status: str = "open", headers: Dict[str, str] = READER) -> Any:
    status_code, body = get(f"{server.url}/inbox/messages?status={status}", headers)
    assert status_code == 200, body
    return body


def message_ids(server: InboxConsole) -> Dict[str, int]:
    return {m["reference"]: m["id"] for m in listing(server, "all")["messages"]}


def mark(server: InboxConsole, ident: Any, body: bytes, headers: Dict[str, str] = STAFF) -> Any:
    return http("POST", f"{server.url}/inbox/messages/{ident}/status", body, {**headers, **JSON})


def test_every_inbox_route_is_403_without_a_configured_password(tmp_path) -> None:
    closed = InboxConsole(inbox_env(tmp_path, STAFF_CONSOLE_PASSWORD=""))
    try:
        for method, path in (
            ("GET", "/inbox"),
            ("GET", "/inbox/messages"),
            ("GET", "/inbox/messages/1"),
            ("POST", "/inbox/messages/1/status"),
            ("GET", "/inbox/audit"),
            ("GET", "/inbox.js"),
        ):
            for headers in ({}, READER, basic_auth("")):
                status, body = http(method, f"{closed.url}{path}", b"{}" if method == "POST" else None, headers)
                assert status == 403 and "console disabled" in body, (path, status, body)
    finally:
        closed.stop()


@pytest.mark.parametrize(
    "headers",
    [{}, basic_auth("wrong"), basic_auth(READER_PASSWORD[:-1]), {"Authorization": "Basic !!"}],
    ids=["none", "wrong", "prefix", "malformed"],
)
def test_a_wrong_or_missing_password_is_401(inbox, headers) -> None:
    server, _ = inbox
    for method, path in (
        ("GET", "/inbox"),
        ("GET", "/inbox/messages"),
        ("GET", "/inbox/messages/1"),
        ("POST", "/inbox/messages/1/status"),
        ("GET", "/inbox/audit"),
    ):
        status, body = http(method, f"{server.url}{path}", b"{}" if method == "POST" else None, headers)
        assert status == 401 and "password" in body, (path, status, body)


def test_the_list_is_urgent_first_then_newest_without_contact_details(inbox) -> None:
    server, references = inbox
    body = listing(server)
    assert body["login"] == {"user": "anna", "role": "reader", "can_handle": False}
    assert [m["reference"] for m in body["messages"]] == [
        references["conv-urgent"],
        references["conv-gone"],
        references["conv-nl"],
    ]
    first = body["messages"][0]
    assert first["urgent"] is True and first["country"] == "UK" and first["language"] == "en"
    assert first["created_at"].endswith("+00:00") and first["contact_method"] == "email"
    assert "sam@example.org" not in json.dumps(body) and "12345678" not in json.dumps(body)
    assert first["preview"].startswith("My mum came home")


def test_a_message_shows_contact_and_the_conversation_that_led_to_it(inbox) -> None:
    server, references = inbox
    ident = message_ids(server)[references["conv-nl"]]
    status, message = get(f"{server.url}/inbox/messages/{ident}", READER)
    assert status == 200, message
    assert (message["contact"], message["best_time"]) == ("+31612345678", "'s ochtends")
    assert message["text"].startswith("Mijn vader is vorige maand thuisgekomen van de IC.\nHij is erg moe")
    talk = message["conversation"]
    assert talk["kept"] is True
    assert [(t["who"], t["text"]) for t in talk["turns"]] == [tuple(turn) for turn in CONVERSATIONS["conv-nl"]]


def test_a_conversation_no_longer_kept_says_so(inbox) -> None:
    server, references = inbox
    ident = message_ids(server)[references["conv-gone"]]
    status, message = get(f"{server.url}/inbox/messages/{ident}")
    assert status == 200, message
    assert message["conversation"] == {"kept": False, "turns": [], "omitted": 0, "note": "no longer kept"}


def test_html_and_script_in_a_message_come_back_as_json_text(inbox) -> None:
    server, references = inbox
    ident = message_ids(server)[references["conv-gone"]]
    status, message = get(f"{server.url}/inbox/messages/{ident}")
    assert status == 200 and message["text"] == SCRIPT_TEXT
    urgent = message_ids(server)[references["conv-urgent"]]
    _, message = get(f"{server.url}/inbox/messages/{urgent}")
    assert message["conversation"]["turns"][-1]["text"] == "<i>talk to someone</i>"
    status, script = get(f"{server.url}/inbox.js")
    assert (
        status == 200 and "textContent" in script and "innerHTML" not in script and "insertAdjacentHTML" not in script
    )


def test_the_page_is_served_with_labels_a_strict_csp_and_its_files(inbox) -> None:
    server, _ = inbox
    status, page = get(f"{server.url}/inbox", READER)
    assert status == 200 and "<h1>Staff inbox</h1>" in page
    for control in ("filter-status", "note"):
        assert f'<label for="{control}">' in page and f'id="{control}"' in page
    assert "http://" not in page and "https://" not in page and "<script>" not in page
    status, css = get(f"{server.url}/inbox.css")
    assert status == 200 and ".badge" in css
    status, console = get(f"{server.url}/", READER)  # the reader may use the rest of the console
    assert status == 200 and 'href="inbox"' in console


def test_the_security_headers(inbox) -> None:
    import urllib.request

    server, _ = inbox
    request = urllib.request.Request(f"{server.url}/inbox", headers=STAFF)
    with urllib.request.urlopen(request, timeout=30) as answer:
        headers = answer.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"


def test_a_reader_can_read_but_not_handle(inbox) -> None:
    server, references = inbox
    ident = message_ids(server)[references["conv-urgent"]]
    status, answer = mark(server, ident, json.dumps({"status": "closed"}).encode(), READER)
    assert status == 403 and "read-only" in answer["error"]
    _, message = get(f"{server.url}/inbox/messages/{ident}", READER)
    assert message["status"] == "open" and message["handled_by"] is None


def test_staff_mark_contacted_then_closed_with_a_note(inbox) -> None:
    server, references = inbox
    ident = message_ids(server)[references["conv-nl"]]
    status, answer = mark(server, ident, json.dumps({"status": "contacted", "note": "Called, no answer"}).encode())
    assert status == 200 and answer == {
        "id": ident,
        "status": "contacted",
        "note": "Called, no answer",
        "handled_by": "ben",
    }
    assert references["conv-nl"] in [m["reference"] for m in listing(server, "contacted")["messages"]]
    note = "Spoke with her <b>today</b>;\u0000 arranged peer contact."
    status, answer = mark(server, ident, json.dumps({"status": "closed", "note": note}).encode())
    assert status == 200, answer
    closed = listing(server, "closed")["messages"]
    assert [m["reference"] for m in closed] == [references["conv-nl"]]
    assert references["conv-nl"] not in [m["reference"] for m in listing(server)["messages"]]
    _, message = get(f"{server.url}/inbox/messages/{ident}")
    assert message["status"] == "closed" and message["handled_by"] == "ben" and message["handled_at"]
    assert message["status_note"] == "Spoke with her <b>today</b>;  arranged peer contact."


def test_the_audit_log_records_who_opened_and_handled_what(inbox) -> None:
    server, references = inbox
    ident = message_ids(server)[references["conv-urgent"]]
    get(f"{server.url}/inbox/messages/{ident}", basic_auth(READER_PASSWORD, user="carla"))
    mark(server, ident, json.dumps({"status": "contacted", "note": "mailed"}).encode(), basic_auth(STAFF_PASSWORD, ""))
    status, body = get(f"{server.url}/inbox/audit?message_id={ident}", READER)
    assert status == 200, body
    entries = [(e["user"], e["role"], e["action"], e["detail"]) for e in body["entries"]]
    assert entries[0] == ("staff", "staff", "marked", "contacted")  # an empty user name is the role
    assert ("carla", "reader", "opened", None) in entries
    assert all(e["reference"] == references["conv-urgent"] and e["message_id"] == ident for e in body["entries"])
    assert "sam@example.org" not in json.dumps(body)
    _, everything = get(f"{server.url}/inbox/audit")
    assert len(everything["entries"]) > len(body["entries"])


@pytest.mark.parametrize(
    "body, content_type, status, expected",
    [
        (b"not json", "application/json", 400, "JSON"),
        (b"[]", "application/json", 400, "JSON object"),
        (b'{"note": "x"}', "application/json", 400, "'status' must be"),
        (b'{"status": "deleted"}', "application/json", 400, "'status' must be"),
        (b'{"status": "open"}', "application/json", 400, "'status' must be"),
        (b'{"status": ["closed"]}', "application/json", 400, "'status' must be"),
        (b'{"status": "closed", "note": 5}', "application/json", 400, "'note' must be a string"),
        (b'{"status": "closed", "note": "\\ud800"}', "application/json", 400, "'note' must be a string"),
        (json.dumps({"status": "closed", "note": "x" * 1001}).encode(), "application/json", 400, "longer than 1000"),
        (b"status=closed", "multipart/form-data; boundary=x", 415, "JSON"),
        (b"{" * 70000, "application/json", 413, "larger"),
    ],
    ids=[
        "not-json",
        "array",
        "no-status",
        "unknown",
        "open",
        "list",
        "note-number",
        "surrogate",
        "long",
        "form",
        "big",
    ],
)
def test_bad_status_changes_get_a_clear_4xx(inbox, body, content_type, status, expected) -> None:
    server, references = inbox
    ident = message_ids(server)[references["conv-gone"]]
    answer_status, answer = http(
        "POST", f"{server.url}/inbox/messages/{ident}/status", body, {**STAFF, "Content-Type": content_type}
    )
    assert answer_status == status and expected in answer["error"], answer
    assert {m["reference"]: m["status"] for m in listing(server, "all")["messages"]}[references["conv-gone"]] == "open"


def test_bad_ids_and_queries_get_a_clear_4xx(inbox) -> None:
    server, _ = inbox
    for ident in ("abc", "0", "-1", "1.5", "99999999999999999999", "%D9%A3", "999999", "%3Cscript%3E"):
        status, answer = get(f"{server.url}/inbox/messages/{ident}")
        assert status == 404 and "message" in answer["error"], (ident, answer)
        status, answer = mark(server, ident, b'{"status": "closed"}')
        assert status == 404 and "message" in answer["error"], (ident, answer)
    status, answer = get(f"{server.url}/inbox/messages?status=deleted")
    assert status == 400 and "'status' must be one of" in answer["error"]
    status, answer = get(f"{server.url}/inbox/audit?message_id=x")
    assert status == 400 and "message_id" in answer["error"]


def test_an_inbox_that_is_off_says_so(tmp_path) -> None:
    teams = tmp_path / "support_team.yml"
    from inbox.settings import DEFAULT_FILE

    teams.write_text(DEFAULT_FILE.read_text(encoding="utf-8").replace("enabled: true", "enabled: false"))
    off = InboxConsole(inbox_env(tmp_path, SUPPORT_TEAM_FILE=str(teams)))
    try:
        status, page = get(f"{off.url}/inbox")
        assert status == 503 and "The staff inbox is off" in page and "support team is turned on" in page
        status, answer = get(f"{off.url}/inbox/messages")
        assert status == 503 and answer["off"] is True and "turned on" in answer["error"]
        status, page = get(f"{off.url}/", READER)  # the rest of the console works
        assert status == 200
    finally:
        off.stop()


def test_a_store_that_fails_is_an_inbox_that_is_off() -> None:
    from staff.inbox import Inbox, InboxOff

    class Broken:
        def list(self, status: Any) -> Any:
            raise OSError("disk on fire")

    def cannot_open() -> Any:
        raise RuntimeError("no database")

    with pytest.raises(InboxOff, match="cannot be opened"):
        asyncio.run(Inbox(opener=cannot_open, turned_on=lambda: True).store())
    with pytest.raises(InboxOff, match="store failed"):
        asyncio.run(Inbox(opener=Broken, turned_on=lambda: True).run("list", status="open"))


def test_logins_and_roles() -> None:
    passwords = {"staff": "s3cret", "reader": "r3ad"}
    assert login_for(basic_auth("s3cret", "ben")["Authorization"], passwords) == ("ben", "staff")
    assert login_for(basic_auth("r3ad", "anna")["Authorization"], passwords) == ("anna", "reader")
    assert login_for(basic_auth("r3ad", " \u0000\u202e ")["Authorization"], passwords) == ("reader", "reader")
    assert login_for(basic_auth("r3ad", "x" * 500)["Authorization"], passwords).user == "x" * 64
    assert login_for(basic_auth("nope")["Authorization"], passwords) is None
    assert login_for(basic_auth("")["Authorization"], {"staff": "s3cret", "reader": ""}) is None
    assert login_for(basic_auth("same")["Authorization"], {"staff": "same", "reader": "same"}).role == "staff"


def test_reading_a_conversation_leaves_the_live_tracker_to_the_next_message() -> None:
    """The embedded store hands its kept tracker object to the next `retrieve`
    (rasa_ext/tracker_store.py); the inbox reads without taking it."""
    from types import SimpleNamespace

    from rasa.shared.core.domain import Domain

    import rasa_ext
    from rasa_ext.tracker_store import LiveInMemoryTrackerStore
    from staff.inbox import conversation
    from tests.conftest import rasa_ext_as_before
    from tests.inbox_app import seed

    with rasa_ext_as_before():
        rasa_ext.install()
        store = LiveInMemoryTrackerStore(Domain.empty())
        asyncio.run(seed(store, {"conv-nl": CONVERSATIONS["conv-nl"]}))
        kept = store._live["conv-nl"]
        request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store))))
        talk = asyncio.run(conversation(request, "conv-nl"))
        assert talk["kept"] is True and len(talk["turns"]) == len(CONVERSATIONS["conv-nl"])
        assert store._live.get("conv-nl") is kept
        assert asyncio.run(conversation(request, "never-seen"))["note"] == "no longer kept"
