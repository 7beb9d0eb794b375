"""Wait until a service answers; the one readiness loop of every launcher
(the production profile, `make run`, the tests, the benchmark, the batch
check). A watched process that ends stops the wait at once.

    python -m ops.ready URL [URL ...] [--timeout 240] [--pid PID] [--what NAME]

A URL is http(s)://... (ready when a GET answers 200) or tcp://HOST:PORT
(ready when it accepts a connection). Exit code 0 when ready, else 1.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from functools import partial
from typing import Callable, List, Optional, Sequence, Union
from urllib.parse import urlsplit

import psutil

from ops.local import http_status

Check = Union[str, Callable[[], bool]]
Watched = Union[subprocess.Popen, psutil.Process, int]


class NotReady(RuntimeError):
    """A service did not become ready: its process ended or time ran out."""


def answers(url: str, timeout: float = 3.0) -> bool:
    """Whether `url` answers: HTTP 200, or a TCP connection for tcp://."""
    parts = urlsplit(url)
    if parts.scheme != "tcp":
        return http_status(url, timeout) == 200
    if parts.port is None:
        raise ValueError(f"{url}: a tcp:// address needs a port")
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
            return True
    except OSError:
        return False


def _ended(process: Union[subprocess.Popen, psutil.Process]) -> Optional[str]:
    """How the process ended ("exit code 3"), or None while it runs."""
    if isinstance(process, subprocess.Popen):
        code = process.poll()
        return None if code is None else f"exit code {code}"
    try:
        if process.status() != psutil.STATUS_ZOMBIE:
            return None
    except psutil.NoSuchProcess:
        pass
    return f"process {process.pid} ended"


def _checks(check_or_url) -> List[Callable[[], bool]]:
    items = [check_or_url] if isinstance(check_or_url, str) or callable(check_or_url) else check_or_url
    return [partial(answers, item) if isinstance(item, str) else item for item in items]


def _watched(process) -> List[Union[subprocess.Popen, psutil.Process]]:
    items = [process] if isinstance(process, (subprocess.Popen, psutil.Process, int)) else process or []
    return [p if isinstance(p, (subprocess.Popen, psutil.Process)) else psutil.Process(p) for p in items]


def wait_until_ready(
    check_or_url: Union[Check, Sequence[Check]],
    what: str,
    timeout: float,
    process: Union[Watched, Sequence[Watched], None] = None,
    interval: float = 0.5,
    hint: str = "",
) -> float:
    """Wait until every check is true (a URL: it answers); the seconds waited.
    Raises NotReady when a watched process ends or after `timeout` seconds;
    `hint` (e.g. "see the log") ends the message."""
    checks = _checks(check_or_url)
    suffix = f"; {hint}" if hint else ""
    try:
        watched = _watched(process)
    except psutil.NoSuchProcess as error:
        raise NotReady(f"{what} stopped while starting (process {error.pid} ended){suffix}") from None
    start = time.monotonic()
    while True:
        if all(check() for check in checks):
            return time.monotonic() - start
        for each in watched:
            how = _ended(each)
            if how:
                raise NotReady(f"{what} stopped while starting ({how}){suffix}")
        if time.monotonic() - start >= timeout:
            raise NotReady(f"{what} did not become ready in {timeout:g} s{suffix}")
        time.sleep(interval)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.ready", description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+", metavar="URL")
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--pid", type=int, help="fail at once when this process ends")
    parser.add_argument("--what", default="the service", help="its name in the error message")
    args = parser.parse_args(argv)
    try:
        wait_until_ready(args.urls, args.what, args.timeout, process=args.pid)
    except NotReady as error:
        print(f"{error}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
