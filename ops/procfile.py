"""Run the lines of a Procfile with honcho in the background, and find and
stop what it started with psutil (no pid files): a honcho is known by its
env file on its command line, a service by the HONCHO_PROCESS_NAME honcho
gives it ("rasa1.1")."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

import psutil
from honcho.environ import parse_procfile

from base.paths import PROJECT_ROOT, rasa_env
from ops.ready import NotReady, wait_until_ready

HONCHO = PROJECT_ROOT / ".venv" / "bin" / "honcho"


def names(procfile: Path) -> List[str]:
    """The process names of a Procfile, in order."""
    return list(parse_procfile(procfile.read_text()).processes)


def launch(procfile: Path, env_file: Path, services: Sequence[str], log: Path) -> subprocess.Popen:
    """`honcho start SERVICES` in its own session, its output appended to `log`."""
    command = [str(HONCHO), "-f", str(procfile), "-e", str(env_file), "--no-colour", "start", *services]
    with open(log, "ab") as out:
        return subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=rasa_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def running(process: psutil.Process) -> bool:
    """Whether the process runs (a zombie has ended)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def honchos(env_file: Path) -> List[psutil.Process]:
    """The running honcho managers started with `env_file` (not the workers
    they fork, which share their command line)."""
    found = [
        p
        for p in psutil.process_iter(["cmdline", "ppid"])
        if str(env_file) in (p.info["cmdline"] or [])
        and any(part.endswith("/honcho") for part in p.info["cmdline"][:2])
    ]
    pids = {p.pid for p in found}
    return [p for p in found if p.info["ppid"] not in pids and running(p)]


def started(honcho: psutil.Process, procfile: Path) -> List[str]:
    """The services a honcho was asked to start."""
    line = honcho.info["cmdline"]
    asked = line[line.index("start") + 1 :] if "start" in line else []
    return asked or names(procfile)


def _service_processes(honcho: psutil.Process) -> Iterator[psutil.Process]:
    """The processes honcho started for its Procfile lines (via its workers)."""
    for worker in honcho.children():
        yield from worker.children()


def service(env_file: Path, name: str) -> Optional[psutil.Process]:
    """The running process of Procfile line `name`, if any."""
    for honcho in honchos(env_file):
        for process in _service_processes(honcho):
            try:
                if process.environ().get("HONCHO_PROCESS_NAME") == f"{name}.1":
                    return process
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
    return None


def wait_ended(processes: Sequence[psutil.Process], timeout: float) -> bool:
    """Wait until none runs (a zombie, not yet reaped by its parent, has
    ended); whether all ended in time."""
    try:
        wait_until_ready(lambda: not any(map(running, processes)), "the processes' end", timeout, interval=0.1)
        return True
    except NotReady:
        return False


def stop(managers: Sequence[psutil.Process], timeout: float = 30) -> None:
    """SIGTERM honcho managers (each stops its services: SIGTERM, SIGKILL
    after 5 s) and wait; SIGKILL whatever of their trees is left."""
    tree = []
    for manager in managers:
        try:
            tree += [manager, *manager.children(recursive=True)]
            manager.terminate()
        except psutil.NoSuchProcess:
            pass
    if wait_ended(tree, timeout):
        return
    for process in tree:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    wait_ended(tree, 5)
