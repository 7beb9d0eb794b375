"""Relatives get the carer's angle: a message about someone close is
followed by the topic's note for relatives (content/relatives.yml,
domain/relatives.yml), a message about oneself is not."""

from __future__ import annotations

import pytest

from actions.relatives import about_someone_close, note_for
from actions.signpost_actions import ActionSignpost
from base.content import relatives, topics
from tests.content_data import domain
from tests.trackers import run, tracker

ABOUT_SOMEONE_CLOSE = [
    "how can I help her with her memory?",
    "My husband came home from ICU three weeks ago and he is not himself",
    "our son keeps forgetting things since the hospital",
    "is it normal for my mum to be this tired after sepsis",
    "I'm his carer now and I don't know how to support him",
    "hoe kan ik haar helpen met haar geheugen?",
    "Mijn man is sinds de IC zichzelf niet meer",
    "m'n moeder is nog steeds zo moe na de sepsis",
    "hoe help ik hem als hij zo somber is",
    "ik ben mantelzorger voor mijn vader",
]
ABOUT_ONESELF = [
    "I can't remember anything since sepsis",
    "my memory is terrible since intensive care",
    "I'm so tired all the time",
    "ik ben zo moe sinds de IC",
    "mijn geheugen is slecht geworden",
    "help me, my hair is falling out",
    "hoe lang duurt het herstel na sepsis?",
]


@pytest.mark.parametrize("text", ABOUT_SOMEONE_CLOSE)
def test_messages_about_someone_close_are_recognised(text: str) -> None:
    assert about_someone_close(text)


@pytest.mark.parametrize("text", ABOUT_ONESELF + ["", None])
def test_messages_about_oneself_are_not(text: str) -> None:
    assert not about_someone_close(text)


def test_every_topic_note_is_a_response_of_the_domain() -> None:
    """A topic marked `relatives_note: own` has its own response; the others
    the general one or none; no note response is left without its topic."""
    responses = domain().responses
    notes = {t: note_for(t) for t in topics()}
    for topic, note in notes.items():
        if note is not None:
            assert note in responses, f"{topic}: {note} is missing from the domain"
    assert note_for("bereavement") is None and note_for("carers") is None
    assert note_for("cognitive_effects") == "utter_for_relatives_cognitive_effects"
    assert note_for("what_is_sepsis") == relatives()["general_note"] == "utter_for_relatives"
    defined = {name for name in responses if name.startswith("utter_for_relatives")}
    assert defined == {n for n in notes.values() if n}


@pytest.mark.parametrize(
    "language,text",
    [("en", "how can I help her with her memory?"), ("nl", "hoe kan ik haar helpen met haar geheugen?")],
)
def test_signpost_sends_the_topics_note_before_the_organisations(language: str, text: str) -> None:
    messages, _ = run(ActionSignpost(), tracker(language, intent="cognitive_effects", text=text))
    assert messages[0].get("response") == "utter_for_relatives_cognitive_effects"
    assert messages[1].get("text")  # then the signposts


def test_signpost_sends_no_note_about_oneself_or_after_bereavement() -> None:
    messages, _ = run(
        ActionSignpost(), tracker("en", intent="cognitive_effects", text="I can't remember anything since sepsis")
    )
    assert not any(m.get("response") for m in messages)
    messages, _ = run(ActionSignpost(), tracker("en", intent="bereavement", text="my husband died of sepsis"))
    assert not any(m.get("response") for m in messages)
