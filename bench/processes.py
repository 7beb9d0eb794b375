"""Peak resident memory and CPU time of process trees (psutil)."""

from __future__ import annotations

import threading
from typing import Dict, List

import psutil


def _tree(pid: int) -> List[psutil.Process]:
    """A process and all its descendants (none when it has ended)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _sum(pid: int, measure) -> float:
    total = 0.0
    for process in _tree(pid):
        try:
            total += measure(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return total


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds used so far by a process and its descendants."""
    return _sum(pid, lambda p: sum(p.cpu_times()[:2]))


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    return _sum(pid, lambda p: p.memory_info().rss) / 2**20


class PeakRss:
    """Samples the RSS of named process trees in the background; keeps the peak."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.pids: Dict[str, int] = {}
        self.peak: Dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def watch(self, name: str, pid: int) -> None:
        self.pids[name] = pid
        self.peak.setdefault(name, 0.0)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            for name, pid in list(self.pids.items()):
                self.peak[name] = max(self.peak[name], tree_rss_mb(pid))

    def stop(self) -> Dict[str, float]:
        self._stop.set()
        self._thread.join()
        return dict(self.peak)
