"""The support team's form in the widget, in a real headless Chromium against
the real assistant (the fixtures of tests/test_widget_reading.py): the
consent text reads as a short list with its two buttons, the summary shows
what was typed as text, axe finds nothing serious, and the screenshots of
docs/screenshots/form-<language>.png. The form is stopped at the summary,
so nothing is stored."""

from __future__ import annotations

import pytest

from tests.browser import needs_browser
from tests.test_widget_reading import context, open_chat, page, serious, shoot, site  # noqa: F401 - fixtures

pytestmark = [needs_browser, pytest.mark.slow]
START = {"nl": "kan ik een bericht achterlaten voor het team", "en": "can I leave a message for the team"}
BUTTONS = {
    "nl": ["Ja, dat is goed", "Nee, liever niet"],
    "en": ["Yes, that's OK", "No, thanks"],
}
NONE = {"nl": "Geen contact, alleen lezen", "en": "Don't contact me, just read it"}
TALL = {"width": 420, "height": 1200}  # a tall phone: the chat fills the screen
TYPED = '<img src=x onerror="window.__xss=1"> 😀'


def send(tab, text: str) -> None:
    """Type a message and wait for the whole reply."""
    count = tab.locator(".sc-user").count()
    tab.fill("#sc-input", text)
    tab.keyboard.press("Enter")
    tab.wait_for_function(
        "(n) => document.querySelectorAll('.sc-user').length > n && !window.sepsisChat.busy", arg=count
    )


def click(tab, title: str) -> None:
    """Press the last button with this title and wait for the whole reply."""
    count = tab.locator(".sc-user").count()
    tab.locator(".sc-choice", has_text=title).last.click()
    tab.wait_for_function(
        "(n) => document.querySelectorAll('.sc-user').length > n && !window.sepsisChat.busy", arg=count
    )


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_consent_reads_well_and_the_summary_shows_text_as_text(page, site, language) -> None:  # noqa: F811
    open_chat(page, site, language)
    send(page, START[language])
    consent = page.locator(".sc-bot").last
    assert consent.locator("li").count() == 4  # what is stored, who reads it, how, how long
    assert "30" in consent.inner_text() and "{" not in consent.inner_text()
    assert [b.inner_text() for b in consent.locator(".sc-choice").all()] == BUTTONS[language]
    page.set_viewport_size(TALL)  # the whole consent and its buttons in one picture
    page.evaluate("() => [...document.querySelectorAll('.sc-bot')].pop().scrollIntoView({block: 'start'})")
    shoot(page, f"form-{language}")
    assert serious(page) == []

    click(page, BUTTONS[language][0])
    click(page, NONE[language])
    send(page, TYPED)
    summary = page.locator(".sc-bot").last
    assert TYPED in summary.inner_text() and summary.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert serious(page) == []
    send(page, "stop")
