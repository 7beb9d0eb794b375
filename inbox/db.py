"""The inbox's database connection: SQLite for the embedded default (WAL,
so the action server can write while the staff console in the Rasa server
reads) or PostgreSQL in the production profile; and write transactions that
run one at a time (for the limits and the migrations)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Union

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from base.paths import PROJECT_ROOT

DEFAULT_DIR = PROJECT_ROOT / ".inbox"
DEFAULT_URL = f"sqlite:///{DEFAULT_DIR / 'inbox.db'}"
BUSY_TIMEOUT_MS = 10000
# pg_advisory_xact_lock keys: one for leaving messages, one for migrations.
LOCK_LEAVE = 0x5EB51
LOCK_MIGRATE = 0x5EB52


def database_url(value: Union[str, sa.engine.URL, None] = None) -> sa.engine.URL:
    """The URL of the inbox: `value`, else SUPPORT_INBOX_URL, else the
    SQLite file .inbox/inbox.db of the project."""
    raw = value if value is not None else (os.environ.get("SUPPORT_INBOX_URL") or DEFAULT_URL)
    try:
        return sa.engine.make_url(raw) if isinstance(raw, str) else raw
    except sa.exc.ArgumentError:
        raise ValueError("SUPPORT_INBOX_URL is not a database URL (e.g. sqlite:///path or postgresql://...)") from None


def sqlite_file(url: sa.engine.URL) -> Optional[Path]:
    """The database file of a SQLite URL (None for another database or memory)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database or "")


def create_engine(url: sa.engine.URL) -> Engine:
    """An engine for the inbox; SQLite gets WAL, a busy timeout and real
    BEGIN statements (BEGIN IMMEDIATE for writes, see `write`)."""
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, future=True, pool_pre_ping=True, pool_size=2, max_overflow=3)
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    engine = sa.create_engine(url, future=True, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's events issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if path is not None:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("inbox_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def write(engine: Engine, lock: int = LOCK_LEAVE) -> Iterator[Connection]:
    """A write transaction that waits for any other one holding `lock`
    (SQLite: the database's write lock; PostgreSQL: an advisory lock)."""
    with engine.connect() as connection:
        connection.execution_options(inbox_write=True)
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})
            yield connection


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction."""
    with engine.connect() as connection, connection.begin():
        yield connection
