"""The widget's offline text comes from the content files: the generated
widget/src/offline.js is what content/contacts.yml and content/messages.yml
give, and the widget's own code holds no phone number."""

from __future__ import annotations

import re

import pytest
import yaml

from base.content import organisations
from base.paths import PROJECT_ROOT
from widget import offline

WIDGET = PROJECT_ROOT / "widget" / "src" / "sepsis-chat.js"


def test_the_generated_file_is_up_to_date() -> None:
    assert offline.TARGET.read_text(encoding="utf-8") == offline.script(), (
        "run .venv/bin/python -m widget.offline (or npm run build in widget/)"
    )


def test_the_widget_code_holds_no_phone_number() -> None:
    code = WIDGET.read_text(encoding="utf-8")
    for number in offline.phones():
        assert not re.search(rf"(?<![\d]){re.escape(number)}(?![\d])", code), number


@pytest.mark.parametrize("key", ["widget_offline", "widget_saved"])
def test_the_wording_names_organisations_not_numbers(key: str) -> None:
    messages = yaml.safe_load((PROJECT_ROOT / "content" / "messages.yml").read_text(encoding="utf-8"))["messages"]
    for country in offline.COUNTRIES:
        for language, template in messages[f"{key}_{country.lower()}"].items():
            assert not re.search(r"\d{3}", re.sub(r"\{\w+\}", "", template)), (country, language)
            assert set(re.findall(r"\{(\w+)\}", template)) <= set(organisations()), (country, language)


@pytest.mark.parametrize("key", ["widget_offline", "widget_saved"])
def test_each_country_gets_its_emergency_and_crisis_numbers(key: str) -> None:
    """Both the offline notice and the top of a saved conversation."""
    texts = offline.texts(key)
    for language in ("en", "nl"):
        uk, nl = texts[language]["UK"], texts[language]["NL"]
        assert organisations()["emergency_uk"]["phone"] in uk and organisations()["samaritans"]["phone"] in uk
        assert organisations()["emergency_nl"]["phone"] in nl
        assert organisations()["zelfmoordpreventie_113"]["phone_alt"] in nl
        assert organisations()["emergency_nl"]["phone"] + " " not in uk


def test_every_number_is_linked_and_longest_first() -> None:
    numbers = offline.phones()
    assert "0800-0113" in numbers and "999" in numbers
    assert [len(n) for n in numbers] == sorted((len(n) for n in numbers), reverse=True)
