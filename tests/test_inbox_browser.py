"""The staff inbox as staff use it: in headless Chromium, logged in, the
list (urgent first), a message opened with the keyboard and with the
conversation that led to it, a message full of HTML and script shown as
text with nothing run, a message closed with a note, a reader who cannot
mark, the audit log, and an axe-core scan with no violations. Screenshots
go to docs/screenshots/inbox-list.png and inbox-message.png."""

from __future__ import annotations

import pytest

from tests.browser import axe_scan, needs_browser
from tests.conftest import ROOT
from tests.inbox_app import (
    CONVERSATIONS,
    READER_PASSWORD,
    SCRIPT_TEXT,
    STAFF_PASSWORD,
    InboxConsole,
    demo_inbox,
)

SCREENSHOTS = ROOT / "docs" / "screenshots"
pytestmark = [needs_browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    """A console with the demo messages: (server, {conversation id: reference})."""
    with demo_inbox(tmp_path_factory.mktemp("inbox")) as running:
        yield running


def inbox_page(browser, server: InboxConsole, user: str = "ben", password: str = STAFF_PASSWORD, bypass_csp=True):
    """The inbox page with its list loaded. bypass_csp: axe-core is injected for the scan."""
    context = browser.new_context(
        http_credentials={"username": user, "password": password},
        bypass_csp=bypass_csp,
        viewport={"width": 1100, "height": 800},
        locale="en-GB",
        timezone_id="Europe/Amsterdam",
    )
    page = context.new_page()
    page.goto(f"{server.url}/inbox")
    page.wait_for_selector("#message-rows tr")
    return page


@pytest.fixture
def staff(browser, inbox):
    page = inbox_page(browser, inbox[0])
    yield page
    page.context.close()


def open_message(page, reference: str) -> None:
    page.get_by_role("button", name=reference).click()
    page.wait_for_selector("#message:not([hidden])")
    page.wait_for_function("r => document.querySelector('#message-title').textContent.includes(r)", arg=reference)


def test_the_list_shows_urgent_first_with_a_badge(staff, inbox) -> None:
    _, references = inbox
    rows = staff.locator("#message-rows tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("button").inner_text() for i in range(3)] == [
        references["conv-urgent"],
        references["conv-gone"],
        references["conv-nl"],
    ]
    assert rows.nth(0).locator(".badge.urgent").inner_text() == "Urgent"
    assert rows.nth(1).locator(".badge").count() == 0
    assert "UK / en" in rows.nth(0).inner_text() and "NL / nl" in rows.nth(2).inner_text()
    assert staff.inner_text("#login") == "Logged in as ben (staff): you can read and handle messages."
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    staff.screenshot(path=str(SCREENSHOTS / "inbox-list.png"), full_page=True)


def test_html_and_script_in_a_message_are_shown_as_text_and_never_run(staff, inbox) -> None:
    _, references = inbox
    preview = staff.locator("#message-rows tr").nth(1).locator("td").last.inner_text()
    assert preview.startswith(SCRIPT_TEXT[:60]) and preview.endswith("…")
    open_message(staff, references["conv-gone"])
    assert staff.inner_text("#message-text") == SCRIPT_TEXT
    assert staff.locator("main img, main b, #message-text *").count() == 0
    assert staff.evaluate("() => window.pwned") is None
    assert staff.inner_text("#conversation-note") == "The conversation: no longer kept."


def test_a_message_opened_with_the_keyboard_and_closed_with_a_note(staff, inbox) -> None:
    _, references = inbox
    reference = references["conv-nl"]
    for _ in range(20):  # Tab to the message's button, as a keyboard user would
        staff.keyboard.press("Tab")
        if staff.evaluate("() => document.activeElement.textContent") == reference:
            break
    staff.keyboard.press("Enter")
    staff.wait_for_selector("#message:not([hidden])")
    assert staff.evaluate("() => document.activeElement.id") == "message-title"
    facts = staff.inner_text("#message-facts")
    assert "+31612345678" in facts and "'s ochtends" in facts
    turns = staff.locator("#conversation li")
    assert turns.count() == len(CONVERSATIONS["conv-nl"])
    assert CONVERSATIONS["conv-nl"][0][1] in turns.nth(0).inner_text() and "User" in turns.nth(0).inner_text()
    assert "Assistant" in turns.nth(1).inner_text()
    staff.locator("#message").screenshot(path=str(SCREENSHOTS / "inbox-message.png"))

    staff.fill("#note", "Called her back; <b>peer contact</b> arranged.")
    staff.get_by_role("button", name="Close").click()
    staff.wait_for_function("() => document.querySelector('#handle-status').textContent === 'Marked closed.'")
    assert "Called her back; <b>peer contact</b> arranged." in staff.inner_text("#message-facts")
    staff.wait_for_function("r => !document.querySelector('#message-rows').textContent.includes(r)", arg=reference)
    staff.select_option("#filter-status", "closed")
    staff.get_by_role("button", name="Show", exact=True).click()
    staff.wait_for_function("r => document.querySelector('#message-rows').textContent.includes(r)", arg=reference)


def test_a_reader_reads_but_is_told_why_marking_is_not_there(browser, inbox) -> None:
    server, references = inbox
    page = inbox_page(browser, server, user="anna", password=READER_PASSWORD, bypass_csp=False)
    try:  # under the page's own Content-Security-Policy: its script still runs
        assert "(read only)" in page.inner_text("#login")
        open_message(page, references["conv-urgent"])
        assert page.is_hidden("#handle-form") and page.is_visible("#reader-note")
        assert "needs the staff password" in page.inner_text("#reader-note")
    finally:
        page.context.close()


def test_the_audit_log_shows_who_opened_what(staff, inbox) -> None:
    _, references = inbox
    open_message(staff, references["conv-urgent"])
    staff.get_by_role("button", name="Show the audit log").click()
    staff.wait_for_selector("#audit:not([hidden])")
    first = staff.locator("#audit-rows tr").first.inner_text()
    assert "ben" in first and "staff" in first and "opened" in first and references["conv-urgent"] in first


def test_no_accessibility_violations(staff, inbox) -> None:
    _, references = inbox
    open_message(staff, references["conv-urgent"])
    staff.get_by_role("button", name="Show the audit log").click()
    staff.wait_for_selector("#audit:not([hidden])")
    result = axe_scan(staff)
    assert result["violations"] == [] and result["passes"] > 10, result["violations"]
