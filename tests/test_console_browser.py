"""The staff console page as staff use it: in headless Chromium, logged in
with the password, a topic and a red flag checked through the form, and an
axe-core scan of the page with a result shown."""

from __future__ import annotations

import pytest

from tests.browser import axe_scan, needs_browser
from tests.content_data import response_text
from tests.servers import Assistant

PASSWORD = "a console password for the browser test"
pytestmark = needs_browser


@pytest.fixture(scope="module")
def console_url(model_path):
    running = Assistant(model_path, env={"STAFF_CONSOLE_PASSWORD": PASSWORD})
    yield f"{running.url}/webhooks/console/"
    running.stop()


@pytest.fixture
def console(browser, console_url):
    # bypass_csp: the page allows only its own scripts; axe-core is injected for the scan.
    context = browser.new_context(
        http_credentials={"username": "staff", "password": PASSWORD},
        bypass_csp=True,
        viewport={"width": 800, "height": 900},
    )
    page = context.new_page()
    page.goto(console_url)
    yield page
    context.close()


def check(page, text: str, language: str) -> None:
    page.fill("#text", text)
    page.select_option("#language", language)
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#details:not([hidden])")


def test_staff_see_topic_candidates_and_the_answer(console) -> None:
    check(console, "mijn haar valt uit sinds de sepsis", "nl")
    assert console.inner_text("#topic").startswith("hair_loss")
    assert console.locator("#candidates li").count() == 2
    assert console.inner_text("#safety") == "did not fire"
    answer = console.inner_text("#answer")
    assert response_text("utter_hair_loss", "nl", "NL").splitlines()[0] in answer


def test_a_red_flag_shows_the_words_and_the_fixed_answer(console) -> None:
    check(console, "my dad is suddenly very confused and his skin looks blotchy", "en")
    safety = console.inner_text("#safety")
    assert safety.startswith("fired: red_flag") and "confused" in safety
    assert response_text("utter_red_flag", "en", "UK").splitlines()[0] in console.inner_text("#answer")


def test_without_the_password_the_page_is_refused(browser, console_url) -> None:
    context = browser.new_context()
    try:
        refused = context.request.get(console_url)
        assert refused.status == 401 and "Basic" in refused.headers.get("www-authenticate", "")
    finally:
        context.close()


def test_no_serious_or_critical_accessibility_violations(console) -> None:
    check(console, "I am so tired since intensive care", "en")
    result = axe_scan(console)
    serious = [text for impact, text in result["violations"] if impact in ("serious", "critical")]
    assert serious == [] and result["passes"] > 10
