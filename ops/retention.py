"""Delete conversations whose last event is older than a number of days from
the SQL tracker store (Rasa's `events` table), and the messages of the
support inbox older than their country's `retention_days`
(content/support_team.yml), and say how many.

    .venv/bin/python -m ops.retention --days 30 --endpoints deploy/endpoints.yml [--dry-run]

`--days` (conversations only) defaults to the RETENTION_DAYS environment
variable, else 30. The tracker store settings come from the endpoints file
(with its ${VAR}s filled from the environment, as Rasa does); the inbox is
SUPPORT_INBOX_URL's (inbox/store.py; no key needed to delete). scripts/prod.sh
runs it on start; run it daily (cron or a Kubernetes CronJob, see
docs/production.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Optional, Sequence

import sqlalchemy as sa
from rasa.shared.exceptions import RasaException

from inbox import db as inbox_db
from inbox.settings import COUNTRIES, teams
from inbox.store import InboxStore

DEFAULT_DAYS = 30
SECONDS_PER_DAY = 86400

# Conversations whose newest event is older than the cut-off.
_EXPIRED = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"


@dataclass
class Result:
    conversations: int
    events: int
    deleted: bool

    def report(self, days: int) -> str:
        verb = "deleted" if self.deleted else "would delete (dry run)"
        return (
            f"retention: {verb} {self.conversations} conversation(s), {self.events} event(s), "
            f"whose last event is older than {days} day(s)"
        )


@dataclass
class InboxResult:
    messages: int
    deleted: bool

    def report(self) -> str:
        verb = "deleted" if self.deleted else "would delete (dry run)"
        days = ", ".join(f"{country} {teams().team(country).retention_days}" for country in COUNTRIES)
        return f"retention: {verb} {self.messages} support inbox message(s) older than their country's days ({days})"


def retention_days(value: Optional[str] = None) -> int:
    """The number of days to keep: the argument, else RETENTION_DAYS, else 30."""
    raw = value if value is not None else os.environ.get("RETENTION_DAYS", str(DEFAULT_DAYS))
    try:
        days = int(raw)
    except ValueError:
        raise ValueError(f"the number of days must be a whole number, not {raw!r}") from None
    if days < 1:
        raise ValueError(f"the number of days must be at least 1, not {days}")
    return days


def tracker_store_url(endpoints_path: str) -> sa.engine.URL:
    """The database URL of the SQL tracker store in an endpoints file."""
    with warnings.catch_warnings():  # Rasa's imports are noisy
        warnings.simplefilter("ignore")
        from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(endpoints_path, "tracker_store")
    if config is None or not (str(config.type).lower() == "sql" or str(config.type).endswith("SQLTrackerStore")):
        raise ValueError(f"{endpoints_path} has no SQL tracker_store")
    kwargs: Dict[str, Any] = config.kwargs
    dialect = kwargs.get("dialect", "sqlite")
    if dialect == "sqlite":
        return sa.engine.URL.create("sqlite", database=kwargs.get("db", "rasa.db"))
    return sa.engine.URL.create(
        dialect,
        username=kwargs.get("username") or None,
        password=kwargs.get("password") or None,
        host=config.url,
        port=int(kwargs["port"]) if kwargs.get("port") else None,
        database=kwargs.get("db", "rasa"),
    )


def delete_old_conversations(url: Any, days: int, dry_run: bool = False, now: Optional[float] = None) -> Result:
    """Delete (or with dry_run only count) every event of the conversations
    whose last event is older than `days` days, in one transaction."""
    cutoff = (now if now is not None else time.time()) - days * SECONDS_PER_DAY
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            if not sa.inspect(connection).has_table("events"):
                return Result(0, 0, not dry_run)
            params = {"cutoff": cutoff}
            conversations = connection.execute(
                sa.text(f"SELECT COUNT(*) FROM ({_EXPIRED}) AS expired"), params
            ).scalar()
            events = connection.execute(
                sa.text(f"SELECT COUNT(*) FROM events WHERE sender_id IN ({_EXPIRED})"), params
            ).scalar()
            if not dry_run and conversations:
                connection.execute(sa.text(f"DELETE FROM events WHERE sender_id IN ({_EXPIRED})"), params)
    finally:
        engine.dispose()
    return Result(int(conversations), int(events), not dry_run)


def delete_old_inbox_messages(dry_run: bool = False, now: Optional[datetime] = None) -> InboxResult:
    """Delete (or with dry_run only count) the support inbox's messages older
    than their country's retention days. A SQLite inbox that was never
    created is left alone."""
    path = inbox_db.sqlite_file(inbox_db.database_url())
    if path is not None and not path.exists():
        return InboxResult(0, not dry_run)
    store = InboxStore.from_env(need_key=False)
    try:
        return InboxResult(store.purge(now, dry_run=dry_run), not dry_run)
    finally:
        store.dispose()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", help=f"keep conversations this many days (default RETENTION_DAYS or {DEFAULT_DAYS})")
    parser.add_argument("--endpoints", default="deploy/endpoints.yml")
    parser.add_argument("--dry-run", action="store_true", help="only count, delete nothing")
    args = parser.parse_args(argv)
    try:
        days = retention_days(args.days)
    except ValueError as error:
        print(f"retention: error: {error}", file=sys.stderr)
        return 2
    failed = False
    try:
        print(delete_old_conversations(tracker_store_url(args.endpoints), days, args.dry_run).report(days))
    except (ValueError, RasaException, sa.exc.SQLAlchemyError) as error:
        print(f"retention: error: {error}", file=sys.stderr)
        failed = True
    try:
        print(delete_old_inbox_messages(args.dry_run).report())
    except (ValueError, sa.exc.SQLAlchemyError) as error:
        print(f"retention: support inbox: error: {error}", file=sys.stderr)
        failed = True
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
