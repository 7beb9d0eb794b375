"""Batch check: what would the assistant answer to every phrase of a CSV?

    .venv/bin/python -m staff.batch_check phrases.csv --out reports/mine/
    .venv/bin/python -m staff.batch_check --from-nlu --out reports/heldout/

The CSV has a header and the columns text,language[,expected][,country]
(expected: the topic it should get; country: NL/UK, default from the
language). --from-nlu reads Rasa NLU files instead (default the held-out
sets eval/nlu/heldout_{en,nl}.yml). Writes report.html (self-contained),
report.csv and rasa test nlu's intent_confusion_matrix.png and
intent_histogram.png to --out, and prints the summary.

Custom actions (signposts, menus) answer from an action server: by default
the command starts its own on a free port for the run; --actions-url uses a
running one instead. The staff console's upload makes the same report
(build_reports below) inside the running assistant.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Text

from rasa.core.agent import Agent

import rasa_ext
from ops.local import action_endpoint, action_server_command, free_port, stop_group
from ops.ready import NotReady, wait_until_ready
from staff.batch import CsvError, Row, rasa_test_images, read_csv, rows_from_nlu, run_rows, summary
from staff.engine import action_server_status
from staff.heldout import HELDOUT_DIR, quiet_logs
from staff.report import render_csv, render_html
from staff.settings import ROOT, StaffSettings, load_settings

HELDOUT = [HELDOUT_DIR / f"heldout_{language}.yml" for language in ("en", "nl")]


@dataclass
class Reports:
    html: Text
    csv: Text
    summary: Dict[Text, Dict[Text, Any]]
    images: Dict[Text, bytes]
    image_error: Optional[Text]


async def build_reports(agent: Agent, rows: List[Row], settings: StaffSettings, source: Text) -> Reports:
    """Check every row with the agent and make both reports and the images."""
    model = Path(agent.processor.model_path)
    results = await run_rows(agent, rows, settings)
    measured = await rasa_test_images(model, rows)
    table = summary(results)
    server = results[0].check.action_server if results else await action_server_status(agent)
    html = render_html(results, table, measured["images"], measured["error"], settings, source, model.name, server)
    return Reports(html, render_csv(results), table, measured["images"], measured["error"])


def summary_lines(table: Dict[Text, Dict[Text, Any]]) -> List[Text]:
    """The summary as short text lines (printed by the CLI)."""
    lines = []
    for name, s in table.items():
        accuracy = (
            f"accuracy {s['accuracy']:.1%} ({s['correct']}/{s['with_expected']})"
            if s["accuracy"] is not None
            else "no expected topics"
        )
        lines.append(
            f"{name}: {s['phrases']} phrases, {accuracy}, wrong topic {s['wrong_topic']}, "
            f"low confidence {s['low_confidence']}, safety fired {s['safety_fired']}, "
            f"should have fired {s['should_have_fired']}, "
            f"answer incomplete {s['answer_incomplete']}"
        )
    return lines


@contextmanager
def action_server(url: Optional[Text]) -> Iterator[Text]:
    """The action server webhook URL: `url` as given, or a server started for
    this run (stopped afterwards)."""
    if url:
        yield url
        return
    port = free_port()
    process = subprocess.Popen(
        action_server_command(port),
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/health", "the action server", 90, process=process)
    except NotReady as error:
        stop_group(process)
        raise SystemExit(f"the action server did not start (python -m rasa_sdk): {error}") from None
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        stop_group(process)


def current_model() -> Path:
    """The model of the current data (scripts/train.sh trains only if needed)."""
    result = subprocess.run(["bash", str(ROOT / "scripts" / "train.sh")], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"training failed:\n{result.stderr[-2000:]}")
    return ROOT / result.stdout.strip().splitlines()[-1]


def parse_args(argv: Optional[Sequence[Text]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m staff.batch_check", description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("csv", nargs="?", type=Path, help="CSV: text,language[,expected][,country]")
    source.add_argument(
        "--from-nlu",
        nargs="*",
        type=Path,
        metavar="NLU_YML",
        help="Rasa NLU files instead of a CSV (default: the held-out sets)",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the reports")
    parser.add_argument("--model", type=Path, help="model (default: the current one, trained if needed)")
    parser.add_argument("--actions-url", help="use this running action server's webhook URL")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[Text]] = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    settings = load_settings()
    if args.csv is not None and not args.csv.is_file():
        print(f"error: {args.csv}: no such file", file=sys.stderr)
        return 2
    quiet_logs()
    model = args.model or current_model()
    with action_server(args.actions_url) as url:
        rasa_ext.install()  # as the Rasa server runs
        agent = Agent.load(str(model), action_endpoint=action_endpoint(url))
        try:
            if args.csv is not None:
                rows = read_csv(args.csv.read_bytes(), agent.domain.intents)
            else:
                rows = rows_from_nlu(args.from_nlu or HELDOUT)
        except CsvError as error:
            print(f"error: {args.csv or 'NLU files'}:\n{error}", file=sys.stderr)
            return 2
        source = (
            str(args.csv)
            if args.csv is not None
            else ", ".join(
                str(p.relative_to(ROOT) if p.resolve().is_relative_to(ROOT) else p) for p in (args.from_nlu or HELDOUT)
            )
        )
        reports = asyncio.run(build_reports(agent, rows, settings, source))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.html").write_text(reports.html, encoding="utf-8")
    (args.out / "report.csv").write_text(reports.csv, encoding="utf-8")
    for name, data in reports.images.items():
        (args.out / name).write_bytes(data)
    print("\n".join(summary_lines(reports.summary)))
    if reports.image_error:
        print(f"warning: {reports.image_error}", file=sys.stderr)
    print(f"reports: {args.out / 'report.html'} and {args.out / 'report.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
