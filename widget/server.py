"""Serve the chat widget and its demo pages on localhost (used by `make run`
and by the browser tests). The demo pages get the assistant's URL filled in;
the widget is served minified when `npm run build` has made widget/dist.

    python widget/server.py --port 8000 --rasa-url http://localhost:5005
"""

from __future__ import annotations

import argparse
import html
import http.server
import sys
from functools import partial
from pathlib import Path
from typing import List, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from ops.retention import retention_days  # noqa: E402 - the project root is on the path now


def built_or_source(name: str, ext: str, before: Tuple[str, ...] = ()) -> List[Path]:
    """The minified build (widget/dist, from `npm run build`) if there is one,
    else the source files the build joins (`before`, then `name`)."""
    built = HERE / "dist" / f"{name}.min.{ext}"
    return [built] if built.exists() else [HERE / "src" / part for part in before] + [HERE / "src" / f"{name}.{ext}"]


FILES = {
    "/sepsis-chat.js": (
        built_or_source("sepsis-chat", "js", ("offline.js", "speech.js", "transcript.js")),
        "text/javascript; charset=utf-8",
    ),
    "/sepsis-chat.css": (built_or_source("sepsis-chat", "css"), "text/css; charset=utf-8"),
}
DEMO_TEMPLATE = HERE / "demo" / "index.html"
DEMO_PAGES = {
    "/index-nl.html": {
        "lang": "nl",
        "country": "NL",
        "title": "Vragen na sepsis",
        "heading": "Leven na sepsis",
        "intro": "Deze demopagina laat de chat zien zoals een patiëntenorganisatie hem op haar "
        "website zet. Klik rechtsonder op de chatknop.",
        "other_page": "index-en.html",
        "other_label": "English demo",
    },
    "/index-en.html": {
        "lang": "en",
        "country": "UK",
        "title": "Questions after sepsis",
        "heading": "Life after sepsis",
        "intro": "This demo page shows the chat as a patient organisation would put it on its "
        "website. Use the chat button at the bottom right.",
        "other_page": "index-nl.html",
        "other_label": "Nederlandse demo",
    },
}


PRIVACY_PAGES = {f"/privacy-{lang}.html": HERE / "privacy" / f"{lang}.html" for lang in ("nl", "en")}


def privacy_page(path: str) -> bytes:
    """The privacy note in its language, with the retention period in force."""
    page = PRIVACY_PAGES[path].read_text(encoding="utf-8")
    return page.replace("{{retention_days}}", str(retention_days())).encode("utf-8")


def demo_page(path: str, rasa_url: str) -> bytes:
    """A demo page in its language, with the assistant's URL filled in."""
    page = DEMO_TEMPLATE.read_text(encoding="utf-8")
    for key, value in {**DEMO_PAGES[path], "rasa_url": html.escape(rasa_url)}.items():
        page = page.replace("{{" + key + "}}", value)
    return page.encode("utf-8")


class WidgetHandler(http.server.BaseHTTPRequestHandler):
    """Only the widget's files; everything else is a 404."""

    def __init__(self, *args, rasa_url: str, **kwargs) -> None:
        self.rasa_url = rasa_url
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == "/":
            self.send_response(302)
            self.send_header("Location", "/index-en.html")
            self.end_headers()
            return
        if path in DEMO_PAGES:
            body, content_type = demo_page(path, self.rasa_url), "text/html; charset=utf-8"
        elif path in PRIVACY_PAGES:
            body, content_type = privacy_page(path), "text/html; charset=utf-8"
        elif path in FILES:
            files, content_type = FILES[path]
            body = b"\n".join(file.read_bytes() for file in files)
        else:
            self.send_error(404, "Not found")
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep request logs quiet
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rasa-url", default="http://localhost:5005")
    args = parser.parse_args()
    handler = partial(WidgetHandler, rasa_url=args.rasa_url.rstrip("/"))
    with http.server.ThreadingHTTPServer((args.host, args.port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
