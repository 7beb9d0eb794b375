"""The safety files' data model (components/safety_spec.py): the real files
load; a misspelt key, a wrong type, a duplicate key or an unknown sign id
is an error naming the file and line; the policy's context names and
reasons (components/safety_policy.py) are all used."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Tuple

import pytest
import yaml

import components.safety_policy as policy
from components.safety_patterns import SafetyRules, load_all
from components.safety_policy import About, Context, Reason
from components.safety_spec import Contexts, SpecError, read_descriptions, read_spec, spec_of
from tests.conftest import ROOT

SAFETY = ROOT / "data" / "safety"


@pytest.fixture(scope="module")
def specs():
    return {lang: read_spec(SAFETY / f"{lang}.yml") for lang in ("nl", "en")}


@pytest.fixture(scope="module")
def rules():
    return load_all(SAFETY)


def copy_with(tmp_path: Path, source: Path, old: str, new: str) -> Tuple[Path, int]:
    """A copy of `source` with the first line that starts with `old` changed
    to start with `new`, and that line's number."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(old))
    lines[index] = new + lines[index][len(old) :]
    copy = tmp_path / source.name
    copy.write_text("".join(lines), encoding="utf-8")
    return copy, index + 1


# ---------------------------------------------------------------- the real files
def test_the_real_files_load_whole(specs) -> None:
    for lang, spec in specs.items():
        assert spec.language == lang
        assert spec.red_flag and spec.crisis and spec.context.negation
        raw = yaml.safe_load((SAFETY / f"{lang}.yml").read_text(encoding="utf-8"))
        assert spec.dict(exclude_unset=True) == raw  # nothing dropped or changed
    signs = {sign for spec in specs.values() for sign in spec.red_flag}
    descriptions = read_descriptions(SAFETY / "descriptions.yml", signs)
    assert set(descriptions.red_flag) == signs and descriptions.crisis


def test_the_stored_form_gives_the_same_spec(specs) -> None:
    for spec in specs.values():
        stored = json.loads(json.dumps(spec.dict(exclude_unset=True), ensure_ascii=False))
        assert spec_of(stored) == spec


# ---------------------------------------------------------------- errors name file and line
@pytest.mark.parametrize(
    "old,new,key,inside",
    [
        ("context:", "contxt:", "contxt", ""),
        ("    together:", "    togther:", "togther", " in red_flag.confusion"),
        ("  sudden:", "  suden:", "suden", " in context"),
    ],
)
def test_a_misspelt_key_names_the_file_and_line(tmp_path, old, new, key, inside) -> None:
    copy, line = copy_with(tmp_path, SAFETY / "nl.yml", old, new)
    with pytest.raises(SpecError) as error:
        read_spec(copy)
    message = str(error.value)
    assert message.startswith(f"{copy}:{line}: unknown key '{key}'{inside} (known: ")
    assert old.strip(" :") in message.split("(known: ")[1]


@pytest.mark.parametrize(
    "old,new,where,problem",
    [
        ('    label: "Verward', '    label: [1, 2]\n    x: "', "red_flag.confusion.label", "str type expected"),
        ("      - verward|", "      - 12\n      - verward|", "red_flag.confusion.phrases[0]", "str type expected"),
        ("version: 1", "version: 2", "version", "unexpected value"),
        ("  on_effort: [", "  on_effort: racing_heart\n  x: [", "lasting.on_effort", "not a valid list"),
    ],
)
def test_a_wrong_type_names_the_file_and_line(tmp_path, old, new, where, problem) -> None:
    copy, line = copy_with(tmp_path, SAFETY / "nl.yml", old, new)
    with pytest.raises(SpecError) as error:
        read_spec(copy)
    first = str(error.value).splitlines()[0]
    assert first.startswith(f"{copy}:{line}: {where}: ")
    assert problem in first


def test_a_duplicate_key_fails(tmp_path) -> None:
    copy = tmp_path / "en.yml"
    text = (SAFETY / "en.yml").read_text(encoding="utf-8")
    copy.write_text(text + "expand:\n  x: y\n", encoding="utf-8")
    with pytest.raises(SpecError, match=rf"en\.yml:{len(text.splitlines()) + 1}: duplicate key 'expand'"):
        read_spec(copy)


def test_a_lasting_sign_that_is_no_sign_fails(tmp_path) -> None:
    copy, line = copy_with(tmp_path, SAFETY / "en.yml", "  on_effort: [racing_heart", "  on_effort: [racing_hart")
    with pytest.raises(SpecError, match=rf"en\.yml:{line}: lasting\.on_effort\[0\]: 'racing_hart' is not a red_flag"):
        read_spec(copy)


def test_descriptions_with_an_unknown_sign_fail(tmp_path, specs) -> None:
    signs = {sign for spec in specs.values() for sign in spec.red_flag}
    copy, line = copy_with(tmp_path, SAFETY / "descriptions.yml", "  shivering:", "  shivers:")
    with pytest.raises(SpecError, match=rf"descriptions\.yml:{line}: unknown red_flag sign 'shivers'"):
        read_descriptions(copy, signs)


def test_descriptions_with_a_misspelt_key_fail(tmp_path, specs) -> None:
    signs = {sign for spec in specs.values() for sign in spec.red_flag}
    copy, line = copy_with(tmp_path, SAFETY / "descriptions.yml", "    nl:", "    nll:")
    with pytest.raises(
        SpecError,
        match=rf"descriptions\.yml:{line}: unknown key 'nll' in red_flag\.confusion "
        r"\(known: label, en, nl\)",
    ):
        read_descriptions(copy, signs)


# ---------------------------------------------------------------- the policy's names
def test_every_context_is_a_list_of_the_files_and_used_by_the_policy(specs) -> None:
    assert list(Contexts.__fields__) == [c.value for c in Context]
    source = inspect.getsource(policy)
    for context in Context:
        assert f"Context.{context.name}" in source.split("class Reason")[1], context
        assert any(getattr(spec.context, context.value) for spec in specs.values()), context


def test_every_reason_and_about_is_given_by_the_policy() -> None:
    source = inspect.getsource(policy.Policy)
    for name in [f"Reason.{r.name}" for r in Reason] + [f"About.{a.name}" for a in About]:
        assert name in source, name


@pytest.mark.parametrize(
    "text,sign,reason",
    [
        ("I'm dying for a coffee", "going_to_die", "not a sign"),
        ("stel dat mijn man weer verward raakt, wie moet ik dan bellen?", "confusion", "hypothetical"),
        ("say he had a seizure at work, what would we do?", "seizure", "hypothetical"),
        ("the care home rang to say he had a seizure", "seizure", None),  # news passed on (`reported`)
        ("I'm not suicidal", "suicidal", "negated"),
        ("I was confused for weeks in the ICU last year", "confusion", "past"),
        ("what does mottled skin mean", "mottled_skin", "general"),
        ("sinds de sepsis gaat mijn hart tekeer als ik opsta", "racing_heart", "lasting"),
        ("my lips are blue", "breathing", None),
        # a present word inside a past time does not say now; a negated recovery does not end a sign
        ("five years ago today I was in ICU, skin mottled, kidneys failing", "mottled_skin", "past"),
        ("newborn blotchy all over, won't pink up", "mottled_skin", None),
    ],
)
def test_the_reasons_keep_their_words(rules, text, sign, reason) -> None:
    reasons = {m.reason for r in rules.values() for m in r.analyse(text).matches if m.sign == sign}
    assert reasons == {reason}
    assert all(type(r) is str for r in reasons if r)  # plain strings in the model's output


def test_the_semantic_net_reasons_keep_their_words(rules) -> None:
    english = rules["en"]
    assert english.context_reason("she is eating fine again", "red_flag", "not_eating_drinking") == "reassuring"
    assert english.context_reason("if it ever comes back", "red_flag", "confusion") == "hypothetical"
    assert english.context_reason("she is not eating", "crisis", "suicidal") is None


@pytest.mark.parametrize(
    "text,about",
    [
        ("my son says he wants to die", "relative"),
        ("I want to die", "self"),
    ],
)
def test_whom_a_crisis_is_about(rules, text, about) -> None:
    abouts = {m.about for r in rules.values() for m in r.analyse(text).matches if m.kind == "crisis"}
    assert abouts == {about}


def test_apart_parts_may_sit_in_different_sentences() -> None:
    """`together` parts must share a sentence; `apart` parts anywhere in the
    message (a goodbye told over several sentences)."""
    data = yaml.safe_load((SAFETY / "en.yml").read_text(encoding="utf-8"))
    parts = ["gave away my guitar", "strangely calm"]
    data["crisis"] = {"suicidal": {"together": [parts]}, "self_harm": {"apart": [parts]}}
    rules = SafetyRules(data)

    def signs(text: str) -> set:
        return {m.sign for m in rules.analyse(text).matches if m.reason is None}

    assert signs("I gave away my guitar and feel strangely calm") == {"suicidal", "self_harm"}
    assert signs("I gave away my guitar today. I feel strangely calm now.") == {"self_harm"}
    assert signs("I gave away my guitar today. I feel fine.") == set()
