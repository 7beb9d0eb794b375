"""The batch check: many phrases through the check engine, marked for staff.

Reads a CSV (`text,language[,expected][,country]`, header first) or the
held-out NLU files, runs every phrase through staff.engine (the console's
engine), marks each answer, and measures the expected topics with
`rasa test nlu` for its confusion matrix and confidence histogram.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text

from rasa.core.agent import Agent

from base.paths import rasa_env
from chat.request import MAX_MESSAGE_CHARS
from staff.engine import SAFETY_KINDS, Check, action_server_status, check_message, locale
from staff.settings import ROOT, StaffSettings

COLUMNS = ("text", "language", "expected", "country")
REQUIRED = ("text", "language")
IMAGES = ("intent_confusion_matrix.png", "intent_histogram.png")
MAX_ERRORS_SHOWN = 20


class CsvError(ValueError):
    """A CSV that cannot be checked; the message names the lines at fault."""


@dataclass
class Row:
    line: int
    text: Text
    language: Text
    expected: Optional[Text] = None
    country: Optional[Text] = None


@dataclass
class Result:
    row: Row
    check: Check
    flags: Dict[Text, bool] = field(default_factory=dict)


def read_csv(content: Any, known_topics: Iterable[Text] = (), max_rows: int = 0) -> List[Row]:
    """The rows of a CSV (bytes or text). Raises CsvError listing every bad
    line (up to MAX_ERRORS_SHOWN) with its line number."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CsvError(f"the file is not UTF-8 text (byte {error.start}); save the CSV as UTF-8") from None
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff"), newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CsvError("the file is empty; the first line must be the header text,language[,expected]") from None
    except csv.Error as error:
        raise CsvError(f"line 1: {error}") from None
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise CsvError(f"line 1: the header must be text,language[,expected][,country] (got {','.join(header)!r})")
    known = set(known_topics)
    rows, errors, start = [], [], 2
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                errors.append(
                    f"line {line}: {len(values)} columns, the header has {len(header)}"
                    " (put a text with commas in double quotes)"
                )
                continue
            row, problem = _row(line, dict(zip(header, values)), known)
            if problem:
                errors.append(problem)
            else:
                rows.append(row)
    except csv.Error as error:
        errors.append(f"line {start}: {error}")
    if errors:
        more = f"\n... and {len(errors) - MAX_ERRORS_SHOWN} more" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise CsvError("\n".join(errors[:MAX_ERRORS_SHOWN]) + more)
    if not rows:
        raise CsvError("the file has a header but no phrases")
    if max_rows and len(rows) > max_rows:
        raise CsvError(f"{len(rows)} phrases; at most {max_rows} in one check")
    return rows


def _row(line: int, values: Dict[Text, Text], known: set) -> tuple:
    """(Row, None) or (None, the problem with this line)."""
    text = values["text"].strip()
    expected = (values.get("expected") or "").strip() or None
    if not text:
        return None, f"line {line}: the text is empty"
    if len(text) > MAX_MESSAGE_CHARS:
        return None, f"line {line}: the text is longer than {MAX_MESSAGE_CHARS} characters"
    try:
        language, country = locale(values["language"], values.get("country"))
    except ValueError as error:
        return None, f"line {line}: {error}"
    if expected and known and expected not in known:
        return None, f"line {line}: unknown topic {expected!r} in expected (see docs/intents.md)"
    return Row(line, text, language, expected, country), None


def rows_from_nlu(paths: Sequence[Path]) -> List[Row]:
    """Rows from Rasa NLU files (e.g. eval/nlu/heldout_nl.yml): every
    example with its intent as the expected topic, the language from the
    intent's metadata or else the file name (..._nl.yml)."""
    import yaml

    rows: List[Row] = []
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            language = (block.get("metadata") or {}).get("language") or Path(path).stem.rsplit("_", 1)[-1]
            for example in str(block.get("examples") or "").splitlines():
                text = example.strip()[2:].strip() if example.strip().startswith("- ") else ""
                if text:
                    rows.append(Row(len(rows) + 1, text, locale(language)[0], block["intent"]))
    if not rows:
        raise CsvError(f"no examples found in {', '.join(map(str, paths))}")
    return rows


FLAGS = ("wrong_topic", "low_confidence", "safety_fired", "should_have_fired", "answer_incomplete")


def flags(check: Check, expected: Optional[Text], settings: StaffSettings) -> Dict[Text, bool]:
    """The marks of one answer for staff."""
    return {
        "wrong_topic": bool(expected) and check.topic != expected,
        "low_confidence": check.confidence < settings.low_confidence,
        "safety_fired": bool(check.safety_fired),
        "should_have_fired": expected in SAFETY_KINDS and not check.safety_fired,
        "answer_incomplete": bool(check.action_server.get("used_by")) and not check.action_server.get("reachable"),
    }


async def run_rows(agent: Agent, rows: List[Row], settings: StaffSettings) -> List[Result]:
    """Every row through the check engine (the action server is checked once)."""
    server = await action_server_status(agent)
    results = []
    for row in rows:
        check = await check_message(agent, row.text, row.language, row.country, server=server)
        results.append(Result(row, check, flags(check, row.expected, settings)))
    return results


def summary(results: List[Result]) -> Dict[Text, Dict[Text, Any]]:
    """Counts per language and for all: phrases, marks, accuracy on the
    phrases with an expected topic."""
    groups = {"all": results}
    for language in sorted({r.row.language for r in results}):
        groups[language] = [r for r in results if r.row.language == language]
    table = {}
    for name, group in groups.items():
        counts = Counter(flag for r in group for flag, on in r.flags.items() if on)
        with_expected = [r for r in group if r.row.expected]
        correct = sum(not r.flags["wrong_topic"] for r in with_expected)
        table[name] = {
            "phrases": len(group),
            "with_expected": len(with_expected),
            "correct": correct,
            "accuracy": correct / len(with_expected) if with_expected else None,
            **{flag: counts.get(flag, 0) for flag in FLAGS},
        }
    return table


def nlu_yaml(rows: List[Row]) -> Text:
    """Rasa NLU test data of the rows that have an expected topic."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples = [Message.build(text=r.text, intent=r.expected) for r in rows if r.expected]
    return RasaYAMLWriter().dumps(TrainingData(training_examples=examples))


async def rasa_test_images(model: Path, rows: List[Row], timeout: float = 900) -> Dict[Text, Any]:
    """Run `rasa test nlu` on the rows with an expected topic; the PNG files
    it writes (name -> bytes) and any problem, as {"images": ..., "error": ...}."""
    if not any(r.expected for r in rows):
        return {"images": {}, "error": "no phrase has an expected topic, so there is no confusion matrix"}
    with tempfile.TemporaryDirectory(prefix="staff-check-") as work:
        nlu = Path(work) / "expected.yml"
        nlu.write_text(nlu_yaml(rows), encoding="utf-8")
        out = Path(work) / "results"
        rasa = Path(sys.executable).with_name("rasa")
        env = {**rasa_env(), "MPLBACKEND": "Agg"}
        process = await asyncio.create_subprocess_exec(
            str(rasa),
            "test",
            "nlu",
            "--model",
            str(model),
            "--nlu",
            str(nlu),
            "--out",
            str(out),
            "--domain",
            str(ROOT / "domain"),
            cwd=str(ROOT),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), timeout)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
            return {"images": {}, "error": f"rasa test nlu took longer than {timeout:.0f} s"}
        images = {name: (out / name).read_bytes() for name in IMAGES if (out / name).is_file()}
        error = None
        if process.returncode != 0 or len(images) != len(IMAGES):
            tail = output.decode("utf-8", "replace").strip().splitlines()[-5:]
            error = f"rasa test nlu exited with {process.returncode}: " + " | ".join(tail)
        return {"images": images, "error": error}
