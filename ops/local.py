"""What every local launcher shares (`make prod`, the tests, the benchmark,
the batch check): a free loopback port, the status of a GET, the action
server's command, and stopping a process started in its own session."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, List

from base.paths import PROJECT_ROOT

if TYPE_CHECKING:
    from rasa.utils.endpoints import EndpointConfig

VENV_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"


def new_secret(nbytes: int = 24) -> str:
    """A random token or password in hex: safe in URLs, config files and
    command lines (never starts with "-", so no option parser misreads it)."""
    return secrets.token_hex(nbytes)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str, timeout: float = 3.0) -> int:
    """The HTTP status of a GET, 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0


EMBEDDED_TRACKER_STORE = "rasa_ext.tracker_store.LiveInMemoryTrackerStore"
# Rasa's option to send the domain only to the actions that read it (forms'
# validate_* actions): the answer texts are 98% of it (docs/performance.md).
ACTION_ENDPOINT_OPTIONS = {"enable_selective_domain": True}


def action_endpoint(url: str) -> "EndpointConfig":
    """The endpoint config of an action server at `url` (its webhook)."""
    from rasa.utils.endpoints import EndpointConfig

    return EndpointConfig(url, **ACTION_ENDPOINT_OPTIONS)


def local_endpoints(actions_url: str) -> str:
    """The endpoints file of the embedded default (`make run`, the tests,
    the benchmark): the action server at `actions_url` and the in-memory
    tracker store."""
    options = "".join(f"  {key}: {str(value).lower()}\n" for key, value in ACTION_ENDPOINT_OPTIONS.items())
    return (
        f'action_endpoint:\n  url: "{actions_url}/webhook"\n{options}tracker_store:\n  type: {EMBEDDED_TRACKER_STORE}\n'
    )


def action_server_command(port: int) -> List[str]:
    """The project's action server (rasa_sdk with actions/) on `port`."""
    return [str(VENV_PYTHON), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]


def rasa_server_command(model: Path, endpoints: Path, port: int, token: str) -> List[str]:
    """A Rasa server with the project's channels and the HTTP API on `port`
    (the tests and the benchmark; the Procfiles say the same)."""
    return [
        str(VENV_PYTHON.parent / "rasa"),
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(PROJECT_ROOT / "credentials.yml"),
        "--port",
        str(port),
        "--enable-api",
        f"--auth-token={token}",
    ]


def stop_group(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM the process's group (started with start_new_session=True),
    SIGKILL it if it has not ended within `timeout` seconds."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


if __name__ == "__main__":  # scripts/run.sh: python -m ops.local endpoints URL | secret NBYTES
    import sys

    if sys.argv[1:2] == ["endpoints"] and len(sys.argv) == 3:
        print(local_endpoints(sys.argv[2]), end="")
    elif sys.argv[1:2] == ["secret"] and len(sys.argv) == 3 and sys.argv[2].isdigit():
        print(new_secret(int(sys.argv[2])))
    else:
        sys.exit("usage: python -m ops.local endpoints ACTIONS_URL | secret NBYTES")
