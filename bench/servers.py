"""Start the action server and a Rasa server for one model on free loopback
ports, measure the cold start, and stop them again (only their own process
groups)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import List

from base.paths import rasa_env
from bench.paths import ROOT, WORK
from bench.processes import PeakRss
from ops.local import action_server_command, free_port, local_endpoints, new_secret, rasa_server_command, stop_group
from ops.ready import NotReady, wait_until_ready

START_TIMEOUT = 600


def _post_ok(url: str, body: bytes, timeout: float = 5) -> bool:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status == 200 and response.read().startswith(b"[")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _start(command: List[str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=rasa_env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


class ActionServer:
    """The project's action server (rasa_sdk), shared by both models' runs."""

    def __init__(self, memory: PeakRss, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = _start(action_server_command(self.port), log)
        memory.watch("actions", self.process.pid)
        try:
            wait_until_ready(
                f"{self.url}/health",
                "the action server",
                START_TIMEOUT,
                process=self.process,
                interval=0.2,
                hint=f"see {log}",
            )
        except NotReady:
            self.stop()
            raise

    def stop(self) -> None:
        stop_group(self.process)


class RasaServer:
    """`rasa run` with a model, the project's credentials and an endpoints
    file pointing at the action server. `cold_start_s` is the time from the
    process start until the first REST answer was served."""

    def __init__(self, model: Path, actions: ActionServer, memory: PeakRss, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        endpoints = WORK / f"endpoints-{actions.port}.yml"
        endpoints.write_text(local_endpoints(actions.url))
        command = rasa_server_command(model, endpoints, self.port, new_secret(8))
        probe = json.dumps(
            {"sender": "bench-coldstart-" + os.urandom(4).hex(), "message": "hallo", "metadata": {"language": "nl"}}
        ).encode()
        started = time.monotonic()
        self.process = _start(command, log)
        memory.watch("rasa", self.process.pid)
        try:
            wait_until_ready(
                lambda: _post_ok(f"{self.url}/webhooks/rest/webhook", probe),
                "the Rasa server",
                START_TIMEOUT,
                process=self.process,
                interval=0.1,
                hint=f"see {log}",
            )
        except NotReady:
            self.stop()
            raise
        self.cold_start_s = time.monotonic() - started

    def stop(self) -> None:
        stop_group(self.process)
