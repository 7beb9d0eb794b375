"""The batch check's reports: report.csv (one line a phrase) and
report.html (one self-contained file: summary, rasa's images as data: URIs,
every phrase with its marks and answer). All text is HTML-escaped."""

from __future__ import annotations

import base64
import csv
import io
from datetime import datetime, timezone
from html import escape
from typing import Any, Dict, List, Optional, Text

from staff.batch import Result

MARKS = {
    "wrong_topic": "wrong topic",
    "low_confidence": "low confidence",
    "safety_fired": "safety layer fired",
    "should_have_fired": "should have fired",
    "answer_incomplete": "answer incomplete (action server down)",
}
CSV_COLUMNS = [
    "line",
    "text",
    "language",
    "country",
    "expected",
    "topic",
    "confidence",
    "candidate_2",
    "candidate_3",
    "safety_layer",
    "safety_words",
    *MARKS,
    "answer",
]


def _candidate(result: Result, index: int) -> Text:
    candidates = result.check.candidates
    return f"{candidates[index]['name']} ({candidates[index]['confidence']:.2f})" if len(candidates) > index else ""


def _words(result: Result) -> Text:
    return "; ".join(f"{w['text']} ({w['sign']})" for w in result.check.safety_words)


def render_csv(results: List[Result]) -> Text:
    """report.csv: the check of every phrase, marks as yes/no."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in results:
        c = r.check
        writer.writerow(
            [
                r.row.line,
                r.row.text,
                c.language,
                c.country,
                r.row.expected or "",
                c.topic,
                f"{c.confidence:.3f}",
                _candidate(r, 0),
                _candidate(r, 1),
                c.safety_fired or "",
                _words(r),
                *("yes" if r.flags[m] else "no" for m in MARKS),
                c.answer_text,
            ]
        )
    return out.getvalue()


STYLE = """
body{font-family:system-ui,sans-serif;margin:1rem;line-height:1.4;color:#1a1a1a}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #999;padding:.3rem .5rem;
vertical-align:top;text-align:left}.answer{white-space:pre-wrap;max-width:40rem}
.mark{display:inline-block;border:2px solid #8a1c1c;color:#8a1c1c;font-weight:bold;
padding:0 .3rem;margin:.1rem;border-radius:3px}.mark.safety{border-color:#1c4f8a;color:#1c4f8a}
img{max-width:100%;height:auto;border:1px solid #ccc}.note{background:#fff6d6;padding:.5rem}
"""


def _summary_table(table: Dict[Text, Dict[Text, Any]]) -> Text:
    heads = ["", "phrases", "with expected topic", "accuracy", *MARKS.values()]
    lines = [
        "<table><caption>Summary</caption><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in heads) + "</tr>"
    ]
    for name, s in table.items():
        accuracy = f"{s['accuracy']:.1%} ({s['correct']}/{s['with_expected']})" if s["accuracy"] is not None else "–"
        cells = [s["phrases"], s["with_expected"], accuracy, *(s.get(m, 0) for m in MARKS)]
        lines.append(
            f'<tr><th scope="row">{escape(name)}</th>' + "".join(f"<td>{escape(str(v))}</td>" for v in cells) + "</tr>"
        )
    return "\n".join(lines) + "</table>"


def _answer_html(result: Result) -> Text:
    parts = []
    for message in result.check.messages:
        buttons = "".join(
            f"<li>{escape(b['title'])} → <code>{escape(b['payload'])}</code></li>" for b in message["buttons"]
        )
        links = "".join(f"<li>{escape(link)}</li>" for link in message["links"])
        parts.append(
            f'<div class="answer">{escape(message["text"])}</div>'
            + (f"<p>Buttons:</p><ul>{buttons}</ul>" if buttons else "")
            + (f"<p>Links:</p><ul>{links}</ul>" if links else "")
        )
    return "<hr>".join(parts) or "<em>no answer</em>"


def _row_html(r: Result) -> Text:
    c = r.check
    marks = "".join(
        f'<span class="mark{" safety" if m == "safety_fired" else ""}">{escape(label)}</span>'
        for m, label in MARKS.items()
        if r.flags[m]
    )
    candidates = "<br>".join(escape(_candidate(r, i)) for i in range(2))
    safety = escape(c.safety_fired or "no") + (f": {escape(_words(r))}" if c.safety_words else "")
    return (
        f"<tr><td>{r.row.line}</td><td>{escape(c.language)}/{escape(c.country)}</td>"
        f"<td>{escape(r.row.text)}</td><td>{escape(r.row.expected or '–')}</td>"
        f"<td>{escape(str(c.topic))} ({c.confidence:.2f})</td><td>{candidates}</td>"
        f"<td>{safety}</td><td>{marks}</td><td>{_answer_html(r)}</td></tr>"
    )


def render_html(
    results: List[Result],
    table: Dict[Text, Dict[Text, Any]],
    images: Dict[Text, bytes],
    image_error: Optional[Text],
    settings: Any,
    source: Text,
    model: Text,
    action_server: Dict[Text, Any],
) -> Text:
    """report.html, one self-contained page."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    server = (
        "reachable"
        if action_server.get("reachable")
        else f"NOT reachable: {action_server.get('error')} – answers from custom actions are missing"
    )
    figures = "".join(
        f'<figure><img src="data:image/png;base64,{base64.b64encode(data).decode()}" '
        f'alt="{escape(alt)} made by rasa test nlu"><figcaption>{escape(alt)} '
        f"(<code>{escape(name)}</code>)</figcaption></figure>"
        for name, alt, data in ((n, n[:-4].replace("_", " "), images[n]) for n in images)
    )
    problem = f'<p class="note">{escape(image_error)}</p>' if image_error else ""
    heads = [
        "line",
        "language",
        "text",
        "expected",
        "topic (confidence)",
        "next candidates",
        "safety layer",
        "marks",
        "answer",
    ]
    rows = "\n".join(_row_html(r) for r in results)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Batch check: {escape(source)}</title><style>{STYLE}</style></head>
<body><main>
<h1>Batch check: {escape(source)}</h1>
<p>{len(results)} phrases, {escape(now)}, model <code>{escape(model)}</code>.
Low confidence means below {settings.low_confidence:.2f} (content/staff.yml).
Action server: {escape(server)}.</p>
{_summary_table(table)}
<h2>Expected topics, measured by rasa test nlu</h2>
{problem}{figures}
<h2>Every phrase</h2>
<table><tr>{"".join(f'<th scope="col">{escape(h)}</th>' for h in heads)}</tr>
{rows}
</table></main></body></html>
"""
