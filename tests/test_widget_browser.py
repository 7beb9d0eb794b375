"""The chat widget in a real headless Chromium (Debian's), against the real
assistant and the widget's own server, both started here on free ports.
Screenshots of both languages, desktop and mobile, go to docs/screenshots/."""

from __future__ import annotations

import urllib.request

import pytest

from ops.local import free_port
from tests.browser import axe_scan, needs_browser
from tests.conftest import AXE_RESULTS, ROOT
from tests.content_data import domain, response_text, response_variant
from tests.servers import WidgetServer

SCREENSHOTS = ROOT / "docs" / "screenshots"
RASA_URL = {}
pytestmark = needs_browser


@pytest.fixture(scope="module")
def site(widget_site):
    """The widget's demo site (tests/conftest.py)."""
    RASA_URL["url"] = widget_site["rasa_url"]
    return widget_site["url"]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    yield opened
    context.close()


def open_chat(page, site: str, language: str):
    page.goto(f"{site}/index-{language}.html")
    page.click(".sc-launcher")
    page.wait_for_selector(".sc-bot .sc-choice")  # the greeting and its topic buttons


def last_bot_text(page) -> str:
    return page.locator(".sc-bot").last.inner_text()


def button_title(response: str, language: str, index: int) -> str:
    variant = next(
        v
        for v in domain().responses[response]
        if {"name": "language", "type": "slot", "value": language} in (v.get("condition") or [])
    )
    return variant["buttons"][index]["title"]


def shown_first(response: str, language: str, country: str) -> str:
    """What the chat shows of an answer before "Read more": its summary, or its first line."""
    variant = response_variant(response, language, country)
    return (variant.get("metadata") or {}).get("summary") or variant["text"].splitlines()[0]


def wait_for_text(page, text: str) -> None:
    page.wait_for_function("t => document.querySelector('.sc-log').innerText.includes(t)", arg=text)


@pytest.mark.parametrize(
    "language,country,question,answer",
    [
        ("nl", "NL", "ik ben zo moe sinds de ic", "utter_fatigue"),
        ("en", "UK", "I am so tired since intensive care", "utter_fatigue"),
    ],
)
def test_a_full_conversation(page, site, language, country, question, answer) -> None:
    open_chat(page, site, language)
    greeting = response_text("utter_greet", language, country).splitlines()[0]
    wait_for_text(page, greeting)
    page.fill("#sc-input", question)
    page.keyboard.press("Enter")
    wait_for_text(page, shown_first(answer, language, country))
    page.get_by_role("button", name=button_title("utter_ask_fatigue_since", language, 1)).click()
    wait_for_text(page, response_text("utter_fatigue_since_medium", language, country).splitlines()[0])
    assert page.locator(".sc-user .sc-text").last.inner_text() == button_title("utter_ask_fatigue_since", language, 1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"widget-{language}-desktop.png"))


def test_language_switch_changes_labels_and_answers(page, site) -> None:
    open_chat(page, site, "nl")
    assert page.inner_text(".sc-send") == "Verstuur"
    page.click(".sc-switch")
    wait_for_text(page, response_text("utter_language_switched", "en", "NL").split(".")[0])
    assert page.inner_text(".sc-send") == "Send"
    assert page.get_attribute(".sc-root", "lang") == "en"


def test_urgent_answer_is_shown_distinctly_with_numbers_in_the_text(page, site) -> None:
    open_chat(page, site, "nl")
    page.fill("#sc-input", "mijn moeder is ineens heel verward en ademt snel")
    page.click(".sc-send")
    urgent = page.wait_for_selector(".sc-urgent")
    assert urgent.query_selector(".sc-badge").inner_text() == "Dringend: zoek nu hulp"
    assert "112" in urgent.inner_text()
    assert urgent.query_selector('a[href="tel:112"]') is not None


def test_reload_keeps_the_conversation_and_new_conversation_clears_it(page, site) -> None:
    open_chat(page, site, "en")
    page.fill("#sc-input", "my hair is falling out since sepsis")
    page.keyboard.press("Enter")
    wait_for_text(page, shown_first("utter_hair_loss", "en", "UK"))
    count = page.locator(".sc-message").count()
    page.reload()
    page.wait_for_selector(".sc-panel:not([hidden])")
    assert page.locator(".sc-message").count() == count
    assert page.evaluate("Object.keys(sessionStorage).length") == 1
    assert page.evaluate("Object.keys(localStorage).length") == 0
    page.click(".sc-restart")
    page.wait_for_function("n => document.querySelectorAll('.sc-message').length < n", arg=count)
    wait_for_text(page, response_text("utter_greet", "en", "UK").splitlines()[0])


def test_server_down_shows_emergency_numbers_and_keeps_the_typed_text(browser, model_path) -> None:
    dead = WidgetServer(f"http://127.0.0.1:{free_port()}")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{dead.url}/index-en.html")
        page.click(".sc-launcher")
        error = page.wait_for_selector(".sc-error[role=alert]")
        assert "999" in error.inner_text() and "0808 800 0029" in error.inner_text()
        page.fill("#sc-input", "is hair loss normal after sepsis?")
        page.click(".sc-send")
        page.wait_for_selector(".sc-error .sc-retry")
        assert page.input_value("#sc-input") == "is hair loss normal after sepsis?"
    finally:
        context.close()
        dead.stop()


def test_html_and_script_are_shown_as_text(page, site) -> None:
    open_chat(page, site, "en")
    attack = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    page.fill("#sc-input", attack)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.sc-user').length >= 1")
    assert page.locator(".sc-user .sc-text").last.inner_text() == attack
    assert page.locator(".sc-log img, .sc-log script").count() == 0
    assert page.evaluate("window.__xss") is None


def test_privacy_note_is_linked_in_the_chat_language(page, site) -> None:
    from ops.retention import retention_days

    open_chat(page, site, "nl")
    assert page.get_attribute(".sc-privacy", "href") == f"{site}/privacy-nl.html"
    page.click(".sc-switch")
    page.wait_for_function("() => document.querySelector('.sc-privacy').hreflang === 'en'")
    href = page.get_attribute(".sc-privacy", "href")
    assert href == f"{site}/privacy-en.html"
    note = page.context.new_page()
    note.goto(href)
    assert note.get_attribute("html", "lang") == "en"
    assert note.inner_text("[data-retention-days]") == str(retention_days())
    note.close()


def test_a_refused_message_says_so_and_the_chat_goes_on(page, site) -> None:
    open_chat(page, site, "en")
    page.evaluate("() => window.sepsisChat.send('x'.repeat(6000), 'a very long message', {echo: true})")
    error = page.wait_for_selector(".sc-error[role=alert]")
    assert "could not be sent" in error.inner_text() and "999" not in error.inner_text()
    page.fill("#sc-input", "my hair is falling out since sepsis")
    page.keyboard.press("Enter")
    wait_for_text(page, shown_first("utter_hair_loss", "en", "UK"))
    assert page.locator(".sc-error").count() == 0


def test_emoji_and_right_to_left_text_are_shown_as_typed(page, site) -> None:
    open_chat(page, site, "en")
    typed = "😢 مرحبا I am so tired"
    page.fill("#sc-input", typed)
    page.keyboard.press("Enter")
    page.wait_for_function("n => document.querySelectorAll('.sc-bot').length > n", arg=1)
    assert page.locator(".sc-user .sc-text").last.inner_text() == typed


def test_keyboard_only(page, site) -> None:
    page.goto(f"{site}/index-en.html")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('sc-launcher')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('sc-launcher')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "sc-input"
    page.wait_for_selector(".sc-bot .sc-choice")
    page.keyboard.type("what is sepsis")
    page.keyboard.press("Enter")
    wait_for_text(page, shown_first("utter_what_is_sepsis", "en", "UK"))
    page.keyboard.press("Escape")
    assert page.is_hidden(".sc-panel")
    assert page.evaluate("document.activeElement.classList.contains('sc-launcher')")


def test_small_screen_and_200_percent_text(browser, site) -> None:
    for language in ("nl", "en"):
        context = browser.new_context(viewport={"width": 320, "height": 640})
        page = context.new_page()
        open_chat(page, site, language)
        page.screenshot(path=str(SCREENSHOTS / f"widget-{language}-mobile.png"))
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 321)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert wide == [] and page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.is_visible(".sc-send") and page.is_visible(".sc-close")
        context.close()


def test_no_serious_or_critical_accessibility_violations(page, site) -> None:
    open_chat(page, site, "nl")
    page.fill("#sc-input", "mijn moeder is ineens heel verward en ademt snel")
    page.keyboard.press("Enter")
    page.wait_for_selector(".sc-urgent")
    result = axe_scan(page)
    AXE_RESULTS.update(result)
    serious = [text for impact, text in result["violations"] if impact in ("serious", "critical")]
    assert serious == []


def test_cors_allows_only_the_configured_origin(site) -> None:
    def allowed(origin: str):
        request = urllib.request.Request(
            f"{RASA_URL['url']}/webhooks/rest/webhook",
            method="OPTIONS",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers.get("Access-Control-Allow-Origin")

    assert allowed(site) == site
    assert allowed("http://evil.example") is None
