"""The production profile's tracker store: Rasa's SQL store, with pooled
connections checked before use (`CheckedSQLTrackerStore`), that neither
replays nor recounts a conversation it has just saved.

Rasa's `SQLTrackerStore` reads every event of the conversation's last
session and replays them all on every read, and on every save counts the
stored events again to find which are new. This store keeps the tracker it
saved last (the most recent `KEEP_LIMIT` conversations) with the number of
its events already stored and the conversation's highest event id:
- `retrieve` asks the database only for that highest id (an index-only
  lookup on (sender_id, id)). If it is unchanged, nobody else wrote to the
  conversation, and the kept tracker is handed out; otherwise (another
  server answered it, a restart, retention) it is read and replayed as
  Rasa does.
- `save` of a tracker this store handed out inserts the events after those
  already stored, in one statement, without counting; any other tracker is
  saved as Rasa saves it.
A handed-out tracker belongs to its reader (a change that is never saved
is not seen by the next read), and what is kept is what Rasa's `retrieve`
would return: the events since the last `session_started`, by timestamp.
Several servers stay safe: the Redis lock store serialises each
conversation's messages, and the id check sends any server whose copy is
not the latest back to the database.

While the database cannot be reached (with `journal_dir` set): a
conversation this server kept goes on from its copy, and the new events
of every conversation go to the outage journal on disk
(rasa_ext/outage_journal.py). The next time the database answers, the
journal is written first, in order, skipping rows already stored (so a
crash between writing and clearing stores nothing twice). nginx sends each
conversation to one server (deploy/nginx), so the copy a server keeps is
the latest.

The `sql_tracker_store` piece of rasa_ext: until it is on, this is
`CheckedSQLTrackerStore`, i.e. Rasa's store (tests/test_rasa_ext_sql_store.py
compares the two).
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

import rasa_ext
from rasa_ext.outage_journal import Journal

logger = logging.getLogger(__name__)
PIECE = "sql_tracker_store"
UNREACHABLE = (sa.exc.OperationalError, sa.exc.InterfaceError)  # the database is down or gone
KEEP_LIMIT = 200  # conversations whose tracker is kept (the most recently saved)
INDEX_NAME = "ix_events_sender_id_id"  # (sender_id, id): the id check and the reads


class CheckedSQLTrackerStore(SQLTrackerStore):
    """Rasa's `SQLTrackerStore` whose connection pool pings each connection
    before use. Measured with the production profile: after PostgreSQL
    restarts, Rasa's own store hands out a dead pooled connection once per
    server; the read fails, Rasa's fail-safe wrapper takes the conversation
    for a new one and saves that new session, and the conversation loses
    its language and any pending question. With SQLAlchemy's
    `pool_pre_ping` a dead connection is replaced before it is used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._use_engine(pre_ping=True)

    def _use_engine(self, pre_ping: bool) -> None:
        """A new engine (and pool) for the same database."""
        url = self.engine.url  # type: ignore[has-type]  # set by SQLTrackerStore.__init__
        self.engine.dispose()  # type: ignore[has-type]
        self.engine = sa.create_engine(url, pool_pre_ping=pre_ping, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)


@dataclass
class Kept:
    """A tracker this store knows to match the table."""

    tracker: DialogueStateTracker
    stored: int  # how many of its events are in the table (or the journal)
    last_id: Optional[int]  # the conversation's highest event id then; None: not known (outage)


class FastSQLTrackerStore(CheckedSQLTrackerStore):
    """`SQLTrackerStore` without the replay and the recount (see above)."""

    def __init__(self, *args: Any, journal_dir: Optional[Text] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: "OrderedDict[Text, Kept]" = OrderedDict()
        self._handed: Dict[Text, Kept] = {}
        self._new: Set[Text] = set()  # conversations read just now and found to have no rows
        self._driver: Any = None  # the psycopg2 connection of _on_driver
        self._journal = Journal(Path(journal_dir)) if journal_dir else None
        create_index(self.engine)  # type: ignore[has-type]
        # On PostgreSQL (psycopg2) a message's two statements go straight to
        # the driver, and handle a lost connection themselves (_on_driver):
        # with the piece on, the pool does not ping every connection first.
        self._psycopg2 = self.engine.dialect.name == "postgresql" and self.engine.dialect.driver == "psycopg2"
        if self._psycopg2 and rasa_ext.active(PIECE):
            self._use_engine(pre_ping=False)
        # Elsewhere, each statement on its own (no BEGIN/COMMIT round trips).
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        table = self.SQLEvent.__table__
        self._max_id = sa.select(sa.func.max(table.c.id)).where(table.c.sender_id == sa.bindparam("sender"))

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The kept tracker if the table has nothing newer, else Rasa's read;
        with the database down, the kept tracker (if any)."""
        if not rasa_ext.active(PIECE):
            return await super().retrieve(sender_id)
        kept = self._kept.pop(sender_id, None)
        try:
            last_id = self._last_id(sender_id)  # first: after a restart it renews the pool
            self._write_journal()
            if last_id is None:  # a new conversation: nothing to read
                kept = None
                if len(self._new) > KEEP_LIMIT * 10:  # reads that were never followed by a save
                    self._new.clear()
                self._new.add(sender_id)
            elif kept is None or last_id != kept.last_id:
                with self.session_scope() as session:
                    kept = self._read(session, sender_id)
        except UNREACHABLE:
            if kept is None or self._journal is None:
                raise
            logger.warning("the database cannot be reached: conversation %s goes on from this server's copy", sender_id)
        if kept is None:
            self._handed.pop(sender_id, None)
            return None
        self._handed[sender_id] = kept
        return kept.tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert only the events the table does not have yet; with the
        database down, keep them in the journal."""
        if not rasa_ext.active(PIECE):
            return await super().save(tracker)
        handed = self._handed.pop(tracker.sender_id, None) or self._kept.get(tracker.sender_id)
        if handed is not None and handed.tracker is not tracker:
            handed = None  # not a tracker this store knows: ask the table what is new
        if handed is None and tracker.sender_id in self._new:  # the table has none of its events
            handed = Kept(tracker, 0, None)
        self._new.discard(tracker.sender_id)
        await self.stream_events(tracker)
        try:
            self._write_journal()
            if handed is not None:
                rows = [row(tracker.sender_id, e) for e in itertools.islice(tracker.events, handed.stored, None)]
                last_id = self._insert(rows) if rows else handed.last_id
            else:
                with self.session_scope() as session:
                    rows = [row(tracker.sender_id, e) for e in self._additional_events(session, tracker)]
                if rows:
                    self._insert(rows)
                last_id = self._last_id(tracker.sender_id)
        except UNREACHABLE:
            if self._journal is None:
                raise
            start = handed.stored if handed is not None else 0
            waiting = [row(tracker.sender_id, event) for event in itertools.islice(tracker.events, start, None)]
            if not self._journal.add(waiting):
                raise
            last_id = None
        self._keep(tracker, last_id)

    def _insert(self, rows: List[Dict[Text, Any]]) -> Optional[int]:
        """Insert a message's rows in one statement; the conversation's highest id."""
        if self._psycopg2:
            from psycopg2.extras import execute_values

            values = [tuple(r[c] for c in COLUMNS) for r in rows]
            ids = self._on_driver(lambda cursor: execute_values(cursor, PG_INSERT, values, fetch=True))
            return max(found for (found,) in ids)
        with self._autocommit.connect() as connection:
            connection.execute(self.SQLEvent.__table__.insert(), rows)
            return connection.execute(self._max_id, {"sender": rows[0]["sender_id"]}).scalar()

    def _on_driver(self, work: Callable[[Any], Any]) -> Any:
        """`work(cursor)` on this store's own psycopg2 connection, in
        autocommit mode: one round trip per statement, no BEGIN/COMMIT, no
        pool. (Rasa's server calls the store from its one event loop thread,
        one call at a time.) A lost connection (PostgreSQL restarted) is
        replaced, with the pool's, and the work runs once more."""
        import psycopg2

        for attempt in (1, 2):
            try:
                if self._driver is None or self._driver.closed:
                    pooled = self.engine.raw_connection()
                    pooled.detach()  # this store's own from now on
                    self._driver = pooled.dbapi_connection
                    self._driver.autocommit = True
                with self._driver.cursor() as cursor:
                    return work(cursor)
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
                if self._driver is not None:
                    self._driver.close()
                self._driver = None
                self.engine.dispose()
                if attempt == 2:
                    raise sa.exc.OperationalError("tracker store", None, error) from error
        raise AssertionError("unreachable")

    def _write_journal(self) -> None:
        """Store what waited in the journal, oldest first, skipping rows the
        table already has; then the journal is empty."""
        if self._journal is None or not self._journal.waiting():
            return
        with self._journal.batches() as batches, self.session_scope() as session:
            written = 0
            for rows in batches:
                missing = self._not_stored(session, rows)
                if missing:
                    session.execute(self.SQLEvent.__table__.insert(), missing)
                written += len(missing)
            session.commit()
        logger.info("the database is back: %d waiting events written from the outage journal", written)

    def _not_stored(self, session: Any, rows: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
        """The rows whose event (sender, timestamp, type) is not in the table
        (nor earlier in `rows`)."""
        table = self.SQLEvent
        first: Dict[Text, float] = {}
        for found in rows:
            first[found["sender_id"]] = min(first.get(found["sender_id"], found["timestamp"]), found["timestamp"])
        stored: Set[Tuple[Text, float, Text]] = set()
        for sender_id, since in first.items():
            query = session.query(table.timestamp, table.type_name).filter(
                table.sender_id == sender_id, table.timestamp >= since
            )
            stored.update((sender_id, timestamp, type_name) for timestamp, type_name in query)
        missing = []
        for found in rows:
            key = (found["sender_id"], found["timestamp"], found["type_name"])
            if key not in stored:
                stored.add(key)
                missing.append(found)
        return missing

    def _last_id(self, sender_id: Text) -> Optional[int]:
        """The conversation's highest event id (an index-only lookup)."""
        if self._psycopg2:

            def read(cursor: Any) -> Optional[int]:
                cursor.execute(PG_MAX_ID, (sender_id,))
                return cursor.fetchone()[0]

            return self._on_driver(read)
        with self._autocommit.connect() as connection:
            return connection.execute(self._max_id, {"sender": sender_id}).scalar()

    def _read(self, session: Any, sender_id: Text) -> Optional[Kept]:
        """The last session's events, replayed as Rasa's `retrieve` does."""
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        found = query.with_entities(self.SQLEvent.id, self.SQLEvent.data).all()
        if not self.domain or not found:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for _, data in found], self.domain.slots)
        return Kept(tracker, len(found), max(event_id for event_id, _ in found))

    def _keep(self, tracker: DialogueStateTracker, last_id: Optional[int]) -> None:
        """Keep what the next `retrieve` would read: the events since the
        last session start (by timestamp, as Rasa's query selects them)."""
        events = last_session_events(tracker)
        if len(events) < len(tracker.events):
            slots = self.domain.slots if self.domain else []
            # The events themselves, not their JSON: replaying is cheap, parsing is not.
            tracker = DialogueStateTracker.from_events(
                tracker.sender_id, events, slots, sender_source=tracker.sender_source
            )
        self._kept[tracker.sender_id] = Kept(tracker, len(events), last_id)
        self._kept.move_to_end(tracker.sender_id)
        if len(self._kept) <= KEEP_LIMIT:
            return
        # The oldest go first, but never one the database has not got yet.
        stored = [s for s, k in self._kept.items() if k.last_id is not None]
        for sender_id in stored[: len(self._kept) - KEEP_LIMIT]:
            del self._kept[sender_id]


COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
PG_INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES %s RETURNING id"
PG_MAX_ID = "SELECT max(id) FROM events WHERE sender_id = %s"


def last_session_events(tracker: DialogueStateTracker) -> List[Event]:
    """The events Rasa's SQL `retrieve` returns: from the latest
    `session_started` on, by timestamp (all of them when there is none)."""
    starts = [event.timestamp for event in tracker.events if isinstance(event, SessionStarted)]
    if not starts:
        return list(tracker.events)
    start = max(starts)
    return [event for event in tracker.events if event.timestamp >= start]


def row(sender_id: Text, event: Event) -> Dict[Text, Any]:
    """One row of the `events` table, filled as Rasa's SQL store fills it."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def create_index(engine: Any) -> None:
    """The (sender_id, id) index the id check and the reads use (Rasa's own
    table has an index on sender_id alone); created if missing. Two servers
    starting at once may both try: the loser's error is harmless."""
    ddl = sa.text(f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON events (sender_id, id)")
    try:
        with engine.begin() as connection:
            connection.execute(ddl)
    except sa.exc.DBAPIError:
        if INDEX_NAME not in {found["name"] for found in sa.inspect(engine).get_indexes("events")}:
            raise
