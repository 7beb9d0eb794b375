"""Start the real assistant (Rasa server + action server) on free local
ports for end-to-end tests, and talk to it over HTTP."""

from __future__ import annotations

import json
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ops.local import action_server_command, free_port, local_endpoints, new_secret, rasa_server_command, stop_group
from ops.ready import NotReady, wait_until_ready
from tests.conftest import ROOT, rasa_env

VENV_BIN = ROOT / ".venv" / "bin"


def http(
    method: str, url: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None
) -> Tuple[int, Any]:
    """(status, parsed JSON or text) of one request; errors are returned, not raised."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return 0, str(error)
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


class Assistant:
    """A running Rasa server, optionally with its action server."""

    def __init__(
        self,
        model: Path,
        with_actions: bool = True,
        cors: Optional[List[str]] = None,
        env: Optional[Dict[str, str]] = None,
    ) -> None:
        """`env`: extra environment variables, e.g. STAFF_CONSOLE_PASSWORD."""
        self.port, self.actions_port = free_port(), free_port()
        self._env = env or {}
        self.token = new_secret(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self._dir = tempfile.TemporaryDirectory()
        endpoints = Path(self._dir.name) / "endpoints.yml"
        endpoints.write_text(local_endpoints(f"http://127.0.0.1:{self.actions_port}"))
        self._logs = open(Path(self._dir.name) / "servers.log", "w")
        self.processes: List[subprocess.Popen] = []
        if with_actions:
            self._start(action_server_command(self.actions_port))
        self._start(rasa_server_command(model, endpoints, self.port, self.token) + (["--cors", *cors] if cors else []))
        self._wait_ready(with_actions)

    def _start(self, command: List[str]) -> None:
        self.processes.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env={**rasa_env(), **self._env},
                stdout=self._logs,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def _wait_ready(self, with_actions: bool, timeout: float = 240) -> None:
        urls = [f"{self.url}/status?token={self.token}"]
        if with_actions:
            urls.append(f"http://127.0.0.1:{self.actions_port}/health")
        try:
            wait_until_ready(urls, "the assistant", timeout, process=self.processes)
        except NotReady as error:
            log = self.log()
            self.stop()
            raise RuntimeError(f"the assistant did not start ({error}):\n{log[-4000:]}") from None

    def log(self) -> str:
        self._logs.flush()
        return (Path(self._dir.name) / "servers.log").read_text(errors="replace")

    def say(self, sender: str, text: str, **metadata: Any) -> List[Dict[str, Any]]:
        """Send a message through the REST channel; the bot's messages."""
        payload = {"sender": sender, "message": text}
        if metadata:
            payload["metadata"] = metadata
        status, answer = self.post_raw(json.dumps(payload).encode())
        assert status == 200, answer
        return answer

    def post_raw(self, body: bytes, content_type: str = "application/json") -> Tuple[int, Any]:
        return http("POST", f"{self.url}/webhooks/rest/webhook", body, {"Content-Type": content_type})

    def parse(self, text: str, token: Optional[str] = "default") -> Tuple[int, Any]:
        token = self.token if token == "default" else token
        query = f"?token={token}" if token else ""
        return http("POST", f"{self.url}/model/parse{query}", json.dumps({"text": text}).encode())

    def stop(self) -> None:
        for process in self.processes:
            stop_group(process)
        self._logs.close()
        self._dir.cleanup()


class WidgetServer:
    """The widget's static server (widget/server.py) on a free port."""

    def __init__(self, rasa_url: str, port: Optional[int] = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "python"),
                str(ROOT / "widget" / "server.py"),
                "--port",
                str(self.port),
                "--rasa-url",
                rasa_url,
            ],
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_ready(f"{self.url}/sepsis-chat.js", "the widget server", 30, process=self.process, interval=0.2)
        except NotReady:
            self.stop()
            raise

    def stop(self) -> None:
        stop_group(self.process, timeout=10)
