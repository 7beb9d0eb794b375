"""Peak resident memory and CPU time of process trees, from /proc (Linux)."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Dict, List

def _children(pid: int) -> List[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in task.read_text().split()]
        except OSError:
            pass
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> List[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        if current not in found:
            found.append(current)
            todo += _children(current)
    return found


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds used so far by a process and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for current in _tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / ticks


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    return sum(_rss_kb(current) for current in _tree(pid)) / 1024


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
