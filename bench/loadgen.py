"""Load generator, run as its own process: N concurrent conversations
against the REST webhook, each turn sent after the previous answer arrived.

    python -m bench.loadgen --url http://127.0.0.1:PORT --scripts conv.json \
        --concurrency 10 --duration 20 --warmup 3

Requests that start during the warm-up are not measured; the run stops at
the time limit or after --max-requests measured answers. Prints one JSON
object on stdout: raw latencies (s), errors, the measured window and the
throughput (answered messages per second).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from typing import Dict, List

import aiohttp


class Run:
    """Shared state of one load run."""

    def __init__(self, args: argparse.Namespace, scripts: List[Dict]) -> None:
        self.args, self.scripts = args, scripts
        self.start = time.monotonic()
        self.measure_from = self.start + args.warmup
        self.stop_at = self.measure_from + args.duration
        self.latencies: List[float] = []
        self.errors: Dict[str, int] = {}
        self.next_script = 0
        self.sent = 0

    def done(self) -> bool:
        return time.monotonic() >= self.stop_at or len(self.latencies) >= self.args.max_requests

    def take_script(self) -> Dict:
        script = self.scripts[self.next_script % len(self.scripts)]
        self.next_script += 1
        return script

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def send(session: aiohttp.ClientSession, run: Run, sender: str, language: str, text: str) -> None:
    """One turn; its latency is kept when it started after the warm-up."""
    body = {"sender": sender, "message": text, "metadata": {"language": language}}
    started = time.monotonic()
    try:
        # X-Conversation as the widget sends it: nginx keeps a conversation on one server.
        headers = {"X-Conversation": sender}
        async with session.post(run.args.url + "/webhooks/rest/webhook", json=body, headers=headers) as response:
            answer = await response.read()
            ok = response.status == 200 and answer.startswith(b"[")
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        run.error(type(error).__name__)
        return
    finished = time.monotonic()
    run.sent += 1
    if not ok:
        run.error(f"http_{response.status}")
    elif started >= run.measure_from and finished <= run.stop_at:
        run.latencies.append(finished - started)


async def user(session: aiohttp.ClientSession, run: Run) -> None:
    """A user who holds one conversation after another until the run ends."""
    while not run.done():
        script = run.take_script()
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for turn in script["turns"]:
            if run.done():
                return
            await send(session, run, sender, script["language"], turn["text"])


async def main(args: argparse.Namespace) -> Dict:
    scripts = json.loads(open(args.scripts, encoding="utf-8").read())
    run = Run(args, scripts)
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        users = [asyncio.create_task(user(session, run)) for _ in range(args.concurrency)]
        hard_limit = args.warmup + args.duration + args.request_timeout + 5
        done, pending = await asyncio.wait(users, timeout=hard_limit)
        for task in pending:
            task.cancel()
    window = min(time.monotonic(), run.stop_at) - run.measure_from
    return {
        "concurrency": args.concurrency,
        "latencies": run.latencies,
        "errors": run.errors,
        "answered": run.sent,
        "window_s": window,
        "throughput": len(run.latencies) / window if window > 0 else 0.0,
    }


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--scripts", required=True, help="JSON list of conversations")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not measured")
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--request-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("concurrency must be >= 1, duration > 0 and warmup >= 0")
    return args


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(parse_args(sys.argv[1:])))))
