"""A chat for tired minds, in a real headless Chromium against the real
assistant: short answers first with "Read more" and link cards, at most two
bubbles per answer; save (text and printable page) and print; continue
later (off by default, 7 days); read aloud with a stubbed speechSynthesis;
text size and high contrast. Both languages, axe in every state, and
screenshots of each state on desktop and phone widths in docs/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from base.content import organisations, topics
from tests.browser import axe_scan, needs_browser
from tests.conftest import ROOT
from tests.content_data import response_summary, response_text
from widget.offline import texts

SCREENSHOTS = ROOT / "docs" / "screenshots"
COUNTRY = {"nl": "NL", "en": "UK"}
QUESTION = {"nl": "mijn haar valt uit sinds de sepsis", "en": "my hair is falling out since sepsis"}
LABELS = {
    "nl": {
        "more": "Lees meer",
        "less": "Minder tonen",
        "options": "Opties",
        "text": "Downloaden als tekst",
        "page": "Downloaden om te printen",
        "print": "Afdrukken",
        "speak": "Voorlezen",
        "pause": "Pauze",
        "resume": "Verder",
        "stop": "Stoppen",
        "large": "Extra groot",
        "contrast": "Hoog contrast",
    },
    "en": {
        "more": "Read more",
        "less": "Show less",
        "options": "Options",
        "text": "Download as text",
        "page": "Download printable page",
        "print": "Print",
        "speak": "Read aloud",
        "pause": "Pause",
        "resume": "Resume",
        "stop": "Stop",
        "large": "Extra large",
        "contrast": "High contrast",
    },
}
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 320, "height": 640}}
# A speechSynthesis that records what it is asked, with one voice per language.
SPEECH_STUB = """(() => {
  window.__speech = {spoken: [], paused: 0, resumed: 0, cancelled: 0, current: null};
  const voices = %s;
  const synth = {
    getVoices: () => voices,
    speak(u) {
      window.__speech.spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name});
      window.__speech.current = u;
    },
    pause() { window.__speech.paused++; }, resume() { window.__speech.resumed++; },
    cancel() { window.__speech.cancelled++; },
    addEventListener() {}
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; this.voice = null; };
})();"""
BOTH_VOICES = '[{"lang": "en-GB", "name": "English voice"}, {"lang": "nl-NL", "name": "Nederlandse stem"}]'
pytestmark = needs_browser


@pytest.fixture(scope="module")
def site(widget_site):
    return widget_site["url"]


@pytest.fixture
def context(browser):
    opened = browser.new_context(viewport=WIDTHS["desktop"], accept_downloads=True)
    opened.add_init_script(SPEECH_STUB % BOTH_VOICES)
    yield opened
    opened.close()


@pytest.fixture
def page(context):
    return context.new_page()


def open_chat(page, site: str, language: str) -> None:
    page.goto(f"{site}/index-{language}.html")
    page.click(".sc-launcher")
    page.wait_for_selector(".sc-bot .sc-choice")


def ask_hair_loss(page, language: str):
    """Ask about hair loss; the answer bubble (summary first) once its link cards are in."""
    page.fill("#sc-input", QUESTION[language])
    page.keyboard.press("Enter")
    page.wait_for_selector(".sc-has-summary .sc-card")
    return page.locator(".sc-has-summary").last


def reply_bubbles(page) -> list:
    """The bot bubbles after the last user message, without "did this help?"."""
    return page.evaluate("""() => {
        const all = [...document.querySelectorAll('.sc-message')];
        const last = all.map(m => m.classList.contains('sc-user')).lastIndexOf(true);
        return all.slice(last + 1).map(m => m.innerText);
    }""")


def shoot(page, name: str) -> None:
    """A screenshot, with the last topic answer scrolled to the top of the chat."""
    page.evaluate(
        "() => { const a = [...document.querySelectorAll('.sc-has-summary')].pop(); "
        "if (a) a.scrollIntoView({block: 'start'}); }"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def serious(page) -> list:
    return [text for impact, text in axe_scan(page)["violations"] if impact in ("serious", "critical")]


def open_options(page, language: str) -> None:
    page.get_by_role("button", name=LABELS[language]["options"], exact=True).click()
    page.wait_for_selector("#sc-options:not([hidden])")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_answer_starts_short_with_link_cards_and_opens_in_place(page, site, language) -> None:
    open_chat(page, site, language)
    answer = ask_hair_loss(page, language)
    country = COUNTRY[language]
    assert answer.locator(".sc-summary").inner_text() == response_summary("utter_hair_loss", language, country)
    full = response_text("utter_hair_loss", language, country)
    assert answer.locator(".sc-more").is_hidden() and not page.get_by_text(full.splitlines()[0]).is_visible()
    cards = answer.locator(".sc-card")
    org_ids = topics()["hair_loss"]["signposts"][country]
    assert cards.count() == len(org_ids)
    first = organisations()[org_ids[0]]
    assert cards.first.locator(".sc-card-name").inner_text() == first["name"][language]
    if first.get("phone"):
        assert cards.first.locator(".sc-phone").get_attribute("href") == "tel:" + re.sub(r"[^0-9+]", "", first["phone"])
    assert cards.first.locator(".sc-card-what").is_hidden()
    bubbles = reply_bubbles(page)
    feedback = response_text("utter_ask_feedback", language, country).splitlines()[0]
    assert len([b for b in bubbles if feedback not in b]) <= 2, bubbles
    for width in WIDTHS:
        page.set_viewport_size(WIDTHS[width])
        shoot(page, f"widget-{language}-summary-{width}")
    assert serious(page) == []

    toggle = answer.locator(".sc-read-more")
    assert toggle.inner_text() == LABELS[language]["more"] and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert answer.locator(".sc-more").is_visible() and full.splitlines()[0] in answer.locator(".sc-more").inner_text()
    assert toggle.inner_text() == LABELS[language]["less"] and toggle.get_attribute("aria-expanded") == "true"
    assert cards.first.locator(".sc-card-what").is_visible()
    page.reload()  # stays open across a reload
    page.wait_for_selector(".sc-has-summary .sc-more:not([hidden])")
    for width in WIDTHS:
        page.set_viewport_size(WIDTHS[width])
        shoot(page, f"widget-{language}-expanded-{width}")
    assert serious(page) == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_save_as_text_and_as_a_printable_page(page, site, language) -> None:
    open_chat(page, site, language)
    attack = '<img src=x onerror="window.__xss=1">'
    page.fill("#sc-input", attack)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.sc-user').length == 1 && !window.sepsisChat.busy")
    ask_hair_loss(page, language)
    country = COUNTRY[language]
    open_options(page, language)
    with page.expect_download() as download:
        page.get_by_role("button", name=LABELS[language]["text"], exact=True).click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".txt")
    emergency = texts("widget_saved")[language][country]
    summary = response_summary("utter_hair_loss", language, country)
    first_line = response_text("utter_hair_loss", language, country).splitlines()[0]
    assert saved.index(emergency) < saved.index(QUESTION[language]) < saved.index(summary) < saved.index(first_line)
    assert re.search(r"\b20\d\d\b", saved.split("\n")[1])  # the date, on the second line
    assert organisations()[topics()["hair_loss"]["signposts"][country][0]]["name"][language] in saved

    with page.expect_download() as download:
        page.get_by_role("button", name=LABELS[language]["page"], exact=True).click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    printable = page.context.new_page()
    printable.set_content(html)
    assert printable.get_attribute("html", "lang") == language
    assert emergency in printable.inner_text(".sc-emergency")
    assert attack in printable.inner_text("body") and printable.locator("img").count() == 0
    assert summary in printable.inner_text("body") and first_line in printable.inner_text("body")
    assert printable.evaluate("window.__xss") is None
    printable.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_print_view_shows_the_emergency_numbers_and_whole_answers_only(context, site, language) -> None:
    context.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    page = context.new_page()
    open_chat(page, site, language)
    answer = ask_hair_loss(page, language)
    open_options(page, language)
    page.get_by_role("button", name=LABELS[language]["print"], exact=True).click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    emergency = texts("widget_saved")[language][COUNTRY[language]]
    assert page.is_visible(".sc-print-header") and emergency in page.inner_text(".sc-print-header")
    assert answer.locator(".sc-more").is_visible()  # whole answers in print
    assert page.is_hidden("main") and page.is_hidden(".sc-form") and page.is_hidden(".sc-options")
    assert page.is_hidden(".sc-read-more") and page.is_hidden(".sc-speech")
    shoot(page, f"widget-{language}-print-desktop")
    assert serious(page) == []
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.is_visible("main")  # the host page prints as usual again
    page.emulate_media(media="screen")
    assert page.is_hidden(".sc-print-header")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_continue_later_is_off_by_default_kept_7_days_and_then_gone(context, site, language) -> None:
    page = context.new_page()
    open_chat(page, site, language)
    ask_hair_loss(page, language)
    assert page.evaluate("Object.keys(localStorage).length") == 0
    open_options(page, language)
    assert not page.is_checked("#sc-keep")
    assert {"nl": "7 dagen", "en": "7 days"}[language] in page.inner_text("#sc-keep-note") and page.get_attribute(
        "#sc-keep", "aria-describedby"
    ) == "sc-keep-note"
    page.check("#sc-keep")
    assert serious(page) == []
    kept = page.evaluate("JSON.parse(localStorage.getItem('sepsisChat.keep.v1'))")
    days = (kept["expires"] - page.evaluate("Date.now()")) / 86_400_000
    assert 6.99 < days <= 7 and kept["state"]["messages"]

    later = context.new_page()  # a new tab: no sessionStorage, the kept copy
    later.goto(f"{site}/index-{language}.html")
    later.wait_for_selector(".sc-has-summary .sc-card")
    assert later.locator(".sc-message").count() == page.locator(".sc-message").count()
    later.close()

    page.evaluate("""() => { const k = JSON.parse(localStorage.getItem('sepsisChat.keep.v1'));
        k.expires = Date.now() - 1000; localStorage.setItem('sepsisChat.keep.v1', JSON.stringify(k)); }""")
    expired = context.new_page()
    expired.goto(f"{site}/index-{language}.html")
    expired.wait_for_selector(".sc-launcher")
    assert expired.locator(".sc-message").count() == 0
    assert expired.evaluate("localStorage.getItem('sepsisChat.keep.v1')") is None
    expired.close()

    page.check("#sc-keep")
    page.uncheck("#sc-keep")
    assert page.evaluate("localStorage.getItem('sepsisChat.keep.v1')") is None


@pytest.mark.parametrize("language", ["nl", "en"])
def test_read_aloud_in_the_conversations_language_with_pause_and_stop(page, site, language) -> None:
    open_chat(page, site, language)
    answer = ask_hair_loss(page, language)
    words = LABELS[language]
    answer.get_by_role("button", name=words["speak"], exact=True).click()
    spoken = page.evaluate("window.__speech.spoken")
    assert spoken == [
        {
            "text": response_summary("utter_hair_loss", language, COUNTRY[language]),
            "lang": {"nl": "nl-NL", "en": "en-GB"}[language],
            "voice": {"nl": "Nederlandse stem", "en": "English voice"}[language],
        }
    ]
    assert answer.locator(".sc-speak").is_hidden()
    answer.get_by_role("button", name=words["pause"], exact=True).click()
    assert page.evaluate("window.__speech.paused") == 1
    assert serious(page) == []
    answer.get_by_role("button", name=words["resume"], exact=True).click()
    assert page.evaluate("window.__speech.resumed") == 1
    answer.get_by_role("button", name=words["stop"], exact=True).click()
    assert page.evaluate("window.__speech.cancelled") >= 1 and answer.locator(".sc-speak").is_visible()
    answer.locator(".sc-read-more").click()  # opened: the whole answer is read
    answer.get_by_role("button", name=words["speak"], exact=True).click()
    whole = page.evaluate("window.__speech.spoken[1].text")
    assert whole.startswith(response_summary("utter_hair_loss", language, COUNTRY[language]))
    assert response_text("utter_hair_loss", language, COUNTRY[language]).splitlines()[0] in whole
    page.evaluate("window.__speech.current.onend()")  # finished reading
    assert answer.locator(".sc-speak").is_visible() and answer.locator(".sc-stop").is_hidden()


@pytest.mark.parametrize(
    "language,voices",
    [
        ("nl", "[]"),
        ("nl", '[{"lang": "en-GB", "name": "English voice"}]'),
        ("en", '[{"lang": "nl-NL", "name": "Nederlandse stem"}]'),
        ("en", None),
    ],
)
def test_read_aloud_is_hidden_without_a_voice_for_the_language(browser, site, language, voices) -> None:
    context = browser.new_context()
    if voices is None:
        context.add_init_script(
            "Object.defineProperty(window, 'speechSynthesis', {value: undefined, configurable: true});"
        )
    else:
        context.add_init_script(SPEECH_STUB % voices)
    page = context.new_page()
    try:
        open_chat(page, site, language)
        ask_hair_loss(page, language)
        assert page.locator(".sc-speak").count() > 0
        assert all(not node.is_visible() for node in page.locator(".sc-speak").all())
    finally:
        context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_text_size_and_contrast_are_kept_for_the_session(page, site, language) -> None:
    open_chat(page, site, language)
    ask_hair_loss(page, language)
    size = "() => parseFloat(getComputedStyle(document.querySelector('.sc-summary')).fontSize)"
    normal = page.evaluate(size)
    open_options(page, language)
    for width in WIDTHS:
        page.set_viewport_size(WIDTHS[width])
        shoot(page, f"widget-{language}-options-{width}")
    assert serious(page) == []
    page.set_viewport_size(WIDTHS["desktop"])
    large = page.get_by_role("button", name=LABELS[language]["large"], exact=True)
    large.click()
    assert (
        page.evaluate(size) == pytest.approx(normal * 1.5, rel=0.01) and large.get_attribute("aria-pressed") == "true"
    )
    page.get_by_role("button", name=LABELS[language]["contrast"], exact=True).click()
    color = "() => getComputedStyle(document.querySelector('.sc-has-summary')).color"
    assert page.evaluate(color) == "rgb(0, 0, 0)"
    page.reload()
    page.wait_for_selector(".sc-high-contrast.sc-size-2 .sc-has-summary")
    assert page.evaluate(size) == pytest.approx(normal * 1.5, rel=0.01)
    for width in WIDTHS:
        page.set_viewport_size(WIDTHS[width])
        shoot(page, f"widget-{language}-large-contrast-{width}")
    assert serious(page) == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_new_state_fits_320_px_at_200_percent_text(browser, site, language) -> None:
    context = browser.new_context(viewport=WIDTHS["mobile"])
    context.add_init_script(SPEECH_STUB % BOTH_VOICES)
    page = context.new_page()
    try:
        open_chat(page, site, language)
        answer = ask_hair_loss(page, language)
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        answer.locator(".sc-read-more").click()
        open_options(page, language)
        page.get_by_role("button", name=LABELS[language]["large"], exact=True).click()
        page.get_by_role("button", name=LABELS[language]["contrast"], exact=True).click()
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 321)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert wide == [] and page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.is_visible(".sc-send") and page.is_visible(".sc-close") and page.is_visible(".sc-options")
    finally:
        context.close()
