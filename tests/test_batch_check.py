"""The batch check (staff/batch_check.py): CSV validation with line
numbers, the held-out exporter, and the command end to end on a small CSV
with its own action server, checking every mark in report.csv and
report.html and the two PNG images of rasa test nlu."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from staff.batch import CsvError, read_csv, rows_from_nlu
from staff.batch_check import HELDOUT
from staff.settings import load_settings
from tests.conftest import ROOT, rasa_env

TOPICS = {"fatigue", "hair_loss", "red_flag", "crisis", "what_is_sepsis"}
PHRASES = """text,language,expected
ik ben zo moe sinds de ic,nl,fatigue
I am so tired since intensive care,en,hair_loss
"hmm, well",en,
my dad is suddenly very confused and his skin looks blotchy,en,red_flag
what is sepsis,en,red_flag
"""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_good_csv_is_read_with_line_numbers_and_countries() -> None:
    rows = read_csv(
        ('\ufefftext,language,expected,country\nik ben moe,nl,fatigue,\n\n"hello, there",en,,NL\n').encode(), TOPICS
    )
    assert [(r.line, r.text, r.language, r.expected, r.country) for r in rows] == [
        (2, "ik ben moe", "nl", "fatigue", "NL"),
        (4, "hello, there", "en", None, "NL"),
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"message,lang\nhallo,nl\n", "line 1: the header must be"),
        (b"text,language\n", "no phrases"),
        (b"text,language\nhallo,nl\nhello,fr\n", "line 3: language must be nl or en"),
        (b"text,language\n  ,nl\n", "line 2: the text is empty"),
        (b"text,language,expected\nhallo,nl,greeting_cards\n", "line 2: unknown topic 'greeting_cards'"),
        (b"text,language\nhallo, daar,nl\n", "line 2: 3 columns, the header has 2"),
        (b"text,language,country\nhallo,nl,BE\n", "line 2: country must be NL or UK"),
        (b"text,language\n\xff\xfehallo,nl\n", "not UTF-8"),
        ("text,language\n" + "x" * 5001 + ",en\n", "line 2: the text is longer than 5000"),
    ],
)
def test_bad_rows_give_a_clear_error_with_the_line_number(content, message) -> None:
    with pytest.raises(CsvError) as error:
        read_csv(content, TOPICS)
    assert message in str(error.value)


def test_every_bad_line_is_listed_and_the_row_limit_holds() -> None:
    with pytest.raises(CsvError) as error:
        read_csv(b"text,language\nhallo,xx\nok,nl\n,en\n", TOPICS)
    assert "line 2:" in str(error.value) and "line 4:" in str(error.value)
    with pytest.raises(CsvError, match="at most 2"):
        read_csv(b"text,language\na,nl\nb,nl\nc,nl\n", TOPICS, max_rows=2)


def test_the_held_out_sets_become_rows_with_expected_topics() -> None:
    rows = rows_from_nlu(HELDOUT)
    assert {r.language for r in rows} == {"nl", "en"}
    assert all(r.expected and r.text for r in rows)
    assert len(rows) >= 100


def run_batch_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "staff.batch_check", *args],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def reports(model_path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    phrases = folder / "phrases.csv"
    phrases.write_text(PHRASES, encoding="utf-8")
    result = run_batch_check(str(phrases), "--out", str(folder / "out"), "--model", str(model_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "all: 5 phrases, accuracy 50.0% (2/4)" in result.stdout
    return folder / "out"


def test_the_csv_report_marks_each_phrase(reports) -> None:
    rows = {r["text"]: r for r in csv.DictReader(io.StringIO((reports / "report.csv").read_text()))}
    marks = ("wrong_topic", "low_confidence", "safety_fired", "should_have_fired", "answer_incomplete")

    def marked(text: str) -> set:
        return {m for m in marks if rows[text][m] == "yes"}

    assert marked("ik ben zo moe sinds de ic") == set()
    assert rows["ik ben zo moe sinds de ic"]["topic"] == "fatigue"
    assert marked("I am so tired since intensive care") == {"wrong_topic"}
    assert marked("hmm, well") == {"low_confidence"}
    threshold = load_settings().low_confidence
    assert float(rows["hmm, well"]["confidence"]) < threshold
    flag = rows["my dad is suddenly very confused and his skin looks blotchy"]
    assert marked(flag["text"]) == {"safety_fired"} and flag["safety_layer"] == "red_flag"
    assert "confused (" in flag["safety_words"] and flag["answer"].startswith("This could be serious.")
    assert marked("what is sepsis") == {"wrong_topic", "should_have_fired"}
    assert all(rows[t]["answer"] for t in rows)
    assert "[Less than 3 months -> /duration_short]" in rows["I am so tired since intensive care"]["answer"]


def test_the_html_report_has_the_summary_marks_and_embedded_images(reports) -> None:
    html = (reports / "report.html").read_text()
    assert "<caption>Summary</caption>" in html
    assert "50.0% (2/4)" in html  # all: fatigue and red flag right, 2 wrong
    assert html.count('<span class="mark">wrong topic</span>') == 2
    assert html.count('<span class="mark">should have fired</span>') == 1
    assert html.count('<span class="mark">low confidence</span>') == 1
    assert html.count('<span class="mark safety">safety layer fired</span>') == 1
    assert html.count('src="data:image/png;base64,') == 2
    assert "<script" not in html


def test_rasa_test_nlu_images_are_valid_pngs(reports) -> None:
    for name in ("intent_confusion_matrix.png", "intent_histogram.png"):
        data = (reports / name).read_bytes()
        assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width > 100 and height > 100
        assert data.rstrip()[-8:-4] == b"IEND"


def test_the_command_rejects_a_bad_csv_with_the_line(model_path, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,language,expected\nhallo,nl,fatigue\nhello,en,no_such_topic\n")
    result = run_batch_check(
        str(bad),
        "--out",
        str(tmp_path / "out"),
        "--model",
        str(model_path),
        "--actions-url",
        "http://127.0.0.1:9/webhook",
    )
    assert result.returncode == 2
    assert "line 3: unknown topic 'no_such_topic'" in result.stderr
    assert not (tmp_path / "out").exists()
