"""The semantic net and the three outcomes: sentence splitting, levels,
the decision on its own, the pinned encoder, and the trained model's
answers to messages the patterns do not know."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from components.safety_outcome import decide
from components.safety_policy import CHECK, Match, Verdict
from components.safety_semantic import (
    HEAD_CLASSES,
    OTHER,
    Head,
    SemanticMatch,
    SemanticNet,
    Thresholds,
    descriptions_of,
    sentences,
)
from components.sentence_encoder import CACHE_SIZE, Encoder, load_encoder, normal


def test_a_message_is_read_sentence_by_sentence() -> None:
    text = "I'm so tired. Work is hard!\nHonestly? I can't see the point any more"
    assert [text[s:e] for s, e in sentences(text)] == [
        "I'm so tired.",
        "Work is hard!",
        "I can't see the point any more",
    ]  # "Honestly?" is too short


def test_ordinary_contrasts_join_the_net_as_neighbours_without_a_sign() -> None:
    spec = {
        "crisis": {"passive": {"en": ["I wish I could sleep and not wake up"]}},
        "ordinary": {"grief": {"en": ["I miss my mum every day"], "nl": ["Ik mis mijn moeder elke dag"]}},
    }
    rows = descriptions_of(spec)
    assert rows[0] == ("crisis", "passive", "I wish I could sleep and not wake up")
    assert rows[1:] == [(OTHER, "", "I miss my mum every day"), (OTHER, "", "Ik mis mijn moeder elke dag")]
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    net = SemanticNet(None, vectors, *zip(*rows), Thresholds())
    assert list(net.described["crisis"]) == [0]  # a contrast is never the closest description


def test_levels_follow_the_thresholds() -> None:
    net = SemanticNet(None, np.zeros((1, 4)), ["other"], [""], [""], Thresholds())
    assert net.level("red_flag", 0.85, 0.0) == "certain"
    assert net.level("red_flag", 0.6, 0.8) == "maybe"
    assert net.level("red_flag", 0.6, 0.5) is None and net.level("red_flag", 0.5, 1.0) is None
    assert net.level("crisis", 0.8, 0.0) == "certain"
    assert net.level("crisis", 0.5, 0.6) == "likely"
    assert net.level("crisis", 0.5, 0.2) is None
    assert net.level("crisis", 0.5, 0.2, probability=0.99) is None  # the head is off by default
    headed = SemanticNet(None, np.zeros((1, 4)), ["other"], [""], [""], Thresholds(crisis_head=0.9))
    assert headed.level("crisis", 0.5, 0.2, probability=0.95) == "head"
    assert headed.level("crisis", 0.5, 0.2, probability=0.85) is None


def test_a_close_crisis_description_the_head_all_but_rules_out_needs_its_neighbours() -> None:
    # "Since my sepsis it seems a bit worse" lies close to "I wish sepsis had taken me"
    head = Head(np.zeros((len(HEAD_CLASSES), 4)), np.zeros(len(HEAD_CLASSES)))
    sceptical = SemanticNet(None, np.zeros((1, 4)), ["other"], [""], [""], Thresholds(crisis_certain_head=0.1), head)
    assert sceptical.level("crisis", 0.8, 0.2, probability=0.2) == "certain"
    assert sceptical.level("crisis", 0.8, 0.6, probability=0.05) == "likely"
    assert sceptical.level("crisis", 0.8, 0.2, probability=0.05) is None
    headless = SemanticNet(None, np.zeros((1, 4)), ["other"], [""], [""], Thresholds(crisis_certain_head=0.1))
    assert headless.level("crisis", 0.8, 0.2, probability=0.0) == "certain"  # no head: nothing to rule it out


def test_a_short_sentence_needs_a_surer_head_to_be_certain() -> None:
    # "ik ben alleen thuis" lies close to "ik sta iedereen thuis alleen maar in de weg"
    head = Head(np.zeros((len(HEAD_CLASSES), 4)), np.zeros(len(HEAD_CLASSES)))
    thresholds = Thresholds(crisis_certain_head=0.1, short_words=5, short_certain_head=0.3)
    net = SemanticNet(None, np.zeros((1, 4)), ["other"], [""], [""], thresholds, head)
    assert net.level("crisis", 0.76, 0.2, probability=0.26, words=4) is None
    assert net.level("crisis", 0.76, 0.6, probability=0.26, words=4) == "likely"
    assert net.level("crisis", 0.76, 0.2, probability=0.31, words=4) == "certain"  # "I feel completely trapped"
    assert net.level("crisis", 0.76, 0.2, probability=0.26, words=6) == "certain"
    assert net.level("crisis", 0.76, 0.2, probability=0.26) == "certain"  # words unknown: the usual gate


def test_the_head_learns_the_three_kinds_and_gives_probabilities() -> None:
    rng = np.random.default_rng(0)
    centres = {"crisis": [1, 0, 0], "red_flag": [0, 1, 0], "other": [0, 0, 1]}
    kinds = [kind for kind in centres for _ in range(30)]
    vectors = np.array([centres[kind] for kind in kinds], dtype=np.float32) + rng.normal(0, 0.2, (90, 3))
    head = Head.train(vectors, kinds)
    probabilities = head.probabilities(np.array([[0.9, 0.1, 0.0], [0.0, 0.1, 0.9]], dtype=np.float32))
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert probabilities[0].argmax() == HEAD_CLASSES.index("crisis")
    assert probabilities[1].argmax() == HEAD_CLASSES.index("other")


def sem(kind: str, level, similarity: float = 0.6, start: int = 0, sign: str = "x", reason=None) -> SemanticMatch:
    return SemanticMatch(kind, sign, similarity, 0.8, level, "...", start, 10, "...", reason)


def pattern(kind: str, maybe: bool = False, reason=None, about=None) -> Match:
    return Match(kind, "x", "x", 0, 5, "...", reason, maybe, about)


@pytest.mark.parametrize(
    "matches,semantic,classifier,expected",
    [
        ([pattern("crisis", about="self")], [], "fatigue", "crisis"),
        ([pattern("red_flag")], [], "fatigue", "red_flag"),
        ([pattern("red_flag", maybe=True)], [], "fatigue", CHECK),  # told in the past tense
        ([], [sem("red_flag", "certain", 0.85)], "fatigue", "red_flag"),
        ([], [sem("red_flag", "maybe")], "fatigue", CHECK),
        ([], [sem("crisis", "likely", 0.5)], "fatigue", "crisis"),
        ([], [], "red_flag", CHECK),  # the classifier alone: never 999
        ([], [], "crisis", "crisis"),
        ([pattern("red_flag", reason="past")], [], "red_flag", None),  # set aside: the topic
        ([], [], "fatigue", None),
    ],
)
def test_the_three_outcomes(matches, semantic, classifier, expected) -> None:
    assert decide(Verdict.of(matches), semantic, classifier).intent == expected


def test_a_sure_red_flag_gives_way_only_to_a_sentence_closer_to_crisis() -> None:
    red = Verdict.of([pattern("red_flag")])
    like_dying = [sem("crisis", "certain", 0.79), sem("red_flag", "certain", 0.97)]
    assert decide(red, like_dying, "red_flag").intent == "red_flag"
    wants_to_die = [sem("crisis", "certain", 0.9), sem("red_flag", None, 0.5)]
    assert decide(red, wants_to_die, "red_flag").intent == "crisis"
    assert decide(red, [sem("crisis", "likely", 0.6)], "red_flag").intent == "red_flag"


def test_a_crisis_form_a_relative_tells_is_about_a_relative() -> None:
    found = decide(Verdict.of([]), [sem("crisis", "certain", 0.8, sign="self_harm_found")], "fatigue")
    assert (found.intent, found.about) == ("crisis", "relative")


def test_the_encoder_is_the_pinned_package_and_multilingual() -> None:
    encoder = load_encoder("use-multilingual-v3")
    vectors = encoder.embed(
        ["I don't want to live any more.", "Ik wil niet meer leven", "Can I take paracetamol with antibiotics?"]
    )
    assert vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    same, other = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert same > other + 0.2
    assert normal("I DON'T WANT TO LIVE!!  ") == "i don't want to live"
    with pytest.raises(ValueError):
        load_encoder("no-such-encoder")


def test_warming_ahead_gives_the_same_vectors_and_keeps_the_cache_bounded() -> None:
    texts = [f"sentence number {n} about being very tired" for n in range(40)] + ["Ik wil niet meer leven"]
    alone = np.vstack([Encoder("use-multilingual-v3").embed([text]) for text in texts[:3] + texts[-1:]])
    encoder = Encoder("use-multilingual-v3")
    encoder.warm(texts)
    assert len(encoder._cache) == len(texts)
    assert np.allclose(encoder.embed(texts[:3] + texts[-1:]), alone, atol=1e-5)
    encoder.warm([f"filler {n}" for n in range(CACHE_SIZE)])  # more than it keeps: the newest half stays
    assert len(encoder._cache) <= CACHE_SIZE and normal(f"filler {CACHE_SIZE - 1}") in encoder._cache


@pytest.mark.slow
@pytest.mark.parametrize(
    "text,intent,about",
    [
        ("we noticed our daughter wears long sleeves all summer to hide marks on her arms", "crisis", "relative"),
        ("ik zie het nut niet meer in van elke ochtend opstaan", "crisis", "self"),
        ("she is eating and drinking fine again", None, None),
        ("since sepsis my heart races when I stand up", None, None),
    ],
)
def test_the_trained_model_on_messages_the_patterns_do_not_know(agent, text, intent, about) -> None:
    parsed = asyncio.run(agent.parse_message(text))
    if intent is None:
        assert parsed["intent"]["name"] not in ("red_flag", "crisis")
    else:
        assert parsed["intent"]["name"] == intent
        assert [e["value"] for e in parsed["entities"] if e["entity"] == "crisis_about"] == [about]
        assert parsed["safety"]["source"] == "semantic"


@pytest.mark.slow
def test_a_message_the_classifier_is_sure_of_skips_the_semantic_net(agent) -> None:
    parsed = asyncio.run(agent.parse_message("how do I apply for sick pay while I recover from sepsis"))
    assert parsed["safety"]["semantic_skipped"] is True
    long = asyncio.run(agent.parse_message("I applied for sick pay. It was refused and I give up."))
    assert long["safety"]["semantic_skipped"] is False


def test_a_crisis_found_by_the_head_alone_gives_way_to_a_clear_topic() -> None:
    head_only = [sem("crisis", "head", 0.55)]
    assert decide(Verdict.of([]), head_only, "bereavement").intent == "crisis"
    assert decide(Verdict.of([]), head_only, "bereavement", head_gives_way=True).intent is None
    likely = [sem("crisis", "likely", 0.55)]  # the neighbours agree: only a very clear topic
    assert decide(Verdict.of([]), likely, "bereavement", head_gives_way=True).intent == "crisis"
    assert decide(Verdict.of([]), likely, "carers", head_gives_way=True, likely_gives_way=True).intent is None
    certain = [sem("crisis", "certain", 0.8)]  # close to a crisis form: never gives way
    assert decide(Verdict.of([]), certain, "carers", head_gives_way=True, likely_gives_way=True).intent == "crisis"
