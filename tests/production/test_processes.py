"""The profile's processes (honcho, found and stopped with psutil), without
Rasa: a service that cannot start fails the start at once with the end of
its log, and `python -m ops.profile stop` (make prod-stop) leaves nothing
running."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import psutil
import pytest

from ops import procfile
from ops.ready import NotReady
from tests.conftest import ROOT
from tests.production.conftest import new_profile


def processes_of(profile) -> list:
    """Every process whose command line names the profile's state directory
    (the honchos, via their env file; nginx and Redis, via their configuration)."""
    state = str(profile.state)
    return [p for p in psutil.process_iter(["cmdline"]) if any(state in part for part in p.info["cmdline"] or [])]


def test_a_service_that_cannot_start_fails_at_once_with_its_log():
    profile = new_profile()
    try:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", profile.settings.redis_port))
            taken.listen()
            start = time.monotonic()
            with pytest.raises(NotReady) as error:
                profile.start_service("redis")
        assert time.monotonic() - start < 15  # not the 30 s timeout
        message = str(error.value)
        assert message.startswith("Redis stopped while starting")
        assert "redis.log" in message and "Address already in use" in message
    finally:
        profile.remove()


def test_stop_finds_and_stops_every_process_of_the_profile():
    profile = new_profile()
    try:
        for name in ("postgres", "redis"):
            profile.start_service(name)
        profile.start_service("nginx", wait=False)
        time.sleep(1)
        assert len(procfile.honchos(profile.env_file)) == 3
        assert all(profile.alive(name) for name in ("postgres", "redis", "nginx"))
        assert processes_of(profile)
        stop = subprocess.run(
            [sys.executable, "-m", "ops.profile", "stop", "--state-dir", str(profile.state)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert stop.returncode == 0 and "stopped" in stop.stdout
        assert processes_of(profile) == []
        assert not any(profile.alive(name) for name in ("postgres", "redis", "nginx"))
        assert not (profile.postgres_dir / "data" / "postmaster.pid").exists()  # a clean shutdown
    finally:
        profile.remove()
