"""Rows the database could not take, kept on disk in order until it can.

Each Rasa server appends to its own file (journal-<host>-<pid>-<n>.jsonl in the
journal directory) and holds an exclusive lock on it while it runs. A file
nobody holds is an orphan of a server that stopped: the next server that
can reach the database writes it (oldest first) and deletes it. The
journal is bounded (`LIMIT_ROWS`); beyond that, rows are refused and the
caller falls back to Rasa's behaviour.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Dict, Iterator, List, Sequence

logger = logging.getLogger(__name__)

LIMIT_ROWS = 100_000  # about 100 MB of events: several hours of a busy outage
ORPHAN_CHECK_SECONDS = 30.0  # how often to look for files of stopped servers


def read_rows(handle: IO[str]) -> List[Dict[str, Any]]:
    handle.seek(0)
    return [json.loads(line) for line in handle if line.strip()]


class Journal:
    """This server's file of waiting rows, and the orphans of stopped servers."""

    def __init__(self, directory: Path, limit: int = LIMIT_ROWS) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / f"journal-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        self.limit = limit
        self._file: IO[str] = open(self.path, "a+", encoding="utf-8")
        fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.count = len(read_rows(self._file))
        self._orphans: List[Path] = []
        self._orphans_checked = float("-inf")

    def add(self, rows: Sequence[Dict[str, Any]]) -> bool:
        """Append rows (on disk before this returns); False when full."""
        if self.count + len(rows) > self.limit:
            logger.error("outage journal %s is full (%d rows): %d rows not kept", self.path, self.count, len(rows))
            return False
        self._file.write("".join(json.dumps(row) + "\n" for row in rows))
        self._file.flush()
        os.fsync(self._file.fileno())
        self.count += len(rows)
        return True

    def waiting(self) -> bool:
        """Whether this server or a stopped one left rows to write (stopped
        servers' files are looked for every ORPHAN_CHECK_SECONDS)."""
        if time.monotonic() - self._orphans_checked > ORPHAN_CHECK_SECONDS:
            self._orphans = [path for path in self._candidates() if not held(path)]
            self._orphans_checked = time.monotonic()
        return self.count > 0 or bool(self._orphans)

    @contextmanager
    def batches(self) -> Iterator[List[List[Dict[str, Any]]]]:
        """The waiting rows, orphans first, each file in order; when the
        caller's block ends without an error, they are gone from disk."""
        orphans = []
        for path in self._orphans:
            handle = open(path, "a+", encoding="utf-8")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # its server is alive
                handle.close()
                continue
            orphans.append((path, handle))
        try:
            yield [read_rows(handle) for _, handle in orphans] + [read_rows(self._file)]
            for path, _ in orphans:
                path.unlink()
            self._orphans = []
            self._file.seek(0)
            self._file.truncate()
            os.fsync(self._file.fileno())
            self.count = 0
        finally:
            for _, handle in orphans:
                handle.close()

    def _candidates(self) -> List[Path]:
        return sorted(p for p in self.directory.glob("journal-*.jsonl") if p != self.path and p.stat().st_size)


def held(path: Path) -> bool:
    """Whether a running server holds this journal file."""
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
