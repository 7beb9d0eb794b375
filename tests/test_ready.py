"""The readiness helper (ops/ready.py) every launcher uses: a service that
answers is ready at once, a watched process that ends fails the wait at
once with a clear message, and otherwise the wait ends at its timeout."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest

from ops.local import free_port
from ops.ready import NotReady, wait_until_ready
from tests.conftest import ROOT


@pytest.fixture
def file_server(tmp_path):
    """A static HTTP server on a free port (as the widget server is)."""
    (tmp_path / "ready.txt").write_text("yes")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process, port
    process.kill()
    process.wait()


def nobody() -> str:
    return f"http://127.0.0.1:{free_port()}/status"


def python(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code])


def test_a_url_that_answers_is_ready(file_server):
    process, port = file_server
    waited = wait_until_ready(
        f"http://127.0.0.1:{port}/ready.txt", "the file server", 30, process=process, interval=0.1
    )
    assert waited < 30
    # Ready at once now; a TCP check and a callable work the same way.
    assert wait_until_ready([f"tcp://127.0.0.1:{port}", lambda: True], "the port", 1) < 0.5
    with pytest.raises(NotReady, match="did not become ready"):  # every check must pass
        wait_until_ready([f"tcp://127.0.0.1:{port}", lambda: False], "the port", 0.3, interval=0.1)


def test_a_process_that_ends_fails_at_once_with_a_clear_message():
    process = python("import sys; sys.exit(3)")
    start = time.monotonic()
    with pytest.raises(NotReady) as error:
        wait_until_ready(nobody(), "the action server", 120, process=process, hint="see actions.log")
    assert time.monotonic() - start < 10
    assert str(error.value) == "the action server stopped while starting (exit code 3); see actions.log"


def test_a_process_watched_by_pid_fails_at_once_too():
    alive, dead = python("import time; time.sleep(60)"), python("pass")
    dead.wait()  # reaped: the pid is gone
    try:
        with pytest.raises(NotReady, match=r"^Redis stopped while starting \(process \d+ ended\)$"):
            wait_until_ready(nobody(), "Redis", 120, process=[alive.pid, dead.pid])
        ended = python("pass")
        watched = psutil.Process(ended.pid)
        time.sleep(1)  # a zombie until reaped: ended all the same
        with pytest.raises(NotReady, match="stopped while starting"):
            wait_until_ready(nobody(), "nginx", 120, process=watched)
        ended.wait()
    finally:
        alive.kill()
        alive.wait()


def test_without_an_answer_the_wait_ends_at_its_timeout():
    process = python("import time; time.sleep(60)")
    start = time.monotonic()
    try:
        with pytest.raises(NotReady) as error:
            wait_until_ready(nobody(), "the assistant", 1.5, process=process, interval=0.2)
    finally:
        process.kill()
        process.wait()
    assert 1.5 <= time.monotonic() - start < 5
    assert str(error.value) == "the assistant did not become ready in 1.5 s"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ops.ready", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_the_command_line_for_scripts(file_server):
    process, port = file_server
    assert run_cli(f"http://127.0.0.1:{port}/ready.txt", "--timeout", "30").returncode == 0
    late = run_cli(nobody(), "--timeout", "1", "--what", "The assistant")
    assert late.returncode == 1 and late.stderr == "The assistant did not become ready in 1 s.\n"
    ended = python("pass")
    ended.wait()
    dead = run_cli(nobody(), "--timeout", "60", "--pid", str(ended.pid), "--what", "The assistant")
    assert dead.returncode == 1 and dead.stderr.startswith("The assistant stopped while starting")
