"""What each topic answer looks like in the chat: how many bubbles, how many
words a reader meets first, and how many in all, per topic and language.

    .venv/bin/python -m widget.answer_shape --url http://localhost:5005 [--json out.json]

It asks a running assistant (REST channel) for every topic of the catalogue
and counts the way the widget draws the reply: the "did this help?" question
is not counted; a list of organisations sent as link cards goes inside the
answer it follows; an answer with a summary shows the summary first and the
rest after "Read more".
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
import uuid
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Sequence

from base.content import topics

FEEDBACK = "utter_ask_feedback"
PAIRS = (("nl", "NL"), ("en", "UK"))
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass
class Shape:
    """One topic answer as the widget draws it."""

    topic: str
    language: str
    bubbles: int
    words_first: int
    words_all: int


def words(text: str) -> int:
    return len(WORD.findall(text or ""))


def card_words(cards: Sequence[Dict[str, Any]], keys: Sequence[str]) -> int:
    """The words of these fields of the link cards."""
    return sum(words(" ".join(str(card.get(k) or "") for k in keys)) for card in cards)


CARD_FIRST = ("name", "phone", "phone_alt", "hours")  # what a card shows at once
CARD_ALL = CARD_FIRST + ("what",)  # and with the rest of the answer


def shape(topic: str, language: str, reply: List[Dict[str, Any]]) -> Shape:
    """Bubbles and words of one reply, drawn as the widget draws it."""
    shown = [m for m in reply if m.get("response") != FEEDBACK and (m.get("text") or m.get("buttons"))]
    bubbles, first, total = 0, 0, 0
    answer_above = False
    for message in shown:
        cards = message.get("cards") or []
        if cards:
            first += card_words(cards, CARD_FIRST)
            total += card_words(cards, CARD_ALL)
            if answer_above:
                continue  # drawn inside the answer above
        else:
            summary = message.get("summary")
            first += words(summary) if summary else words(message.get("text", ""))
            total += words(message.get("text", "")) + (words(summary) if summary else 0)
            answer_above = answer_above or bool(summary)
        bubbles += 1
    return Shape(topic, language, bubbles, first, total)


def ask(url: str, message: str, language: str, country: str) -> List[Dict[str, Any]]:
    """The assistant's reply to one message of a new conversation."""
    body = json.dumps(
        {
            "sender": f"shape-{uuid.uuid4().hex}",
            "message": message,
            "metadata": {"language": language, "country": country},
        }
    ).encode()
    request = urllib.request.Request(
        f"{url.rstrip('/')}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def measure(url: str) -> List[Shape]:
    """The shape of every topic's answer in both languages."""
    return [shape(t, lang, ask(url, f"/{t}", lang, country)) for t in topics() for lang, country in PAIRS]


def table(shapes: Sequence[Shape]) -> str:
    """A markdown table: one row per topic, bubbles and words per language."""
    rows = [
        "| topic | nl bubbles | nl words first / all | en bubbles | en words first / all |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    by_topic: Dict[str, Dict[str, Shape]] = {}
    for s in shapes:
        by_topic.setdefault(s.topic, {})[s.language] = s
    for topic, per in by_topic.items():
        cells = [f"{per[lang].bubbles} | {per[lang].words_first} / {per[lang].words_all}" for lang, _ in PAIRS]
        rows.append(f"| {topic} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:5005")
    parser.add_argument("--json", help="also write the shapes to this file")
    args = parser.parse_args(list(argv) or None)
    shapes = measure(args.url)
    print(table(shapes))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump([asdict(s) for s in shapes], out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
