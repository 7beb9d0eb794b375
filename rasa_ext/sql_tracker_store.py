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
from typing import Any, Dict, Iterable, List, Optional, Set, Text, Tuple

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
        url = self.engine.url  # type: ignore[has-type]  # set by SQLTrackerStore.__init__
        self.engine.dispose()  # type: ignore[has-type]
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
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
        self._journal = Journal(Path(journal_dir)) if journal_dir else None
        create_index(self.engine)  # type: ignore[has-type]

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The kept tracker if the table has nothing newer, else Rasa's read;
        with the database down, the kept tracker (if any)."""
        if not rasa_ext.active(PIECE):
            return await super().retrieve(sender_id)
        kept = self._kept.pop(sender_id, None)
        try:
            with self.session_scope() as session:
                self._write_journal(session)
                if kept is None or self._last_id(session, sender_id) != kept.last_id:
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
        await self.stream_events(tracker)
        try:
            with self.session_scope() as session:
                self._write_journal(session)
                new: Iterable[Event] = (
                    itertools.islice(tracker.events, handed.stored, None)
                    if handed is not None
                    else self._additional_events(session, tracker)
                )
                rows = [row(tracker.sender_id, event) for event in new]
                if rows:
                    session.execute(self.SQLEvent.__table__.insert(), rows)
                known = handed.last_id if handed is not None and not rows else None
                last_id = known if known is not None else self._last_id(session, tracker.sender_id)
                session.commit()
        except UNREACHABLE:
            if self._journal is None:
                raise
            start = handed.stored if handed is not None else 0
            waiting = [row(tracker.sender_id, event) for event in itertools.islice(tracker.events, start, None)]
            if not self._journal.add(waiting):
                raise
            last_id = None
        self._keep(tracker, last_id)

    def _write_journal(self, session: Any) -> None:
        """Store what waited in the journal, oldest first, skipping rows the
        table already has; then the journal is empty."""
        if self._journal is None or not self._journal.waiting():
            return
        with self._journal.batches() as batches:
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

    def _last_id(self, session: Any, sender_id: Text) -> Optional[int]:
        return session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar()

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
            tracker = DialogueStateTracker.from_dict(tracker.sender_id, [e.as_dict() for e in events], slots)
        self._kept[tracker.sender_id] = Kept(tracker, len(events), last_id)
        self._kept.move_to_end(tracker.sender_id)
        # The oldest go first, but never one the database has not got yet.
        for sender_id in [s for s, k in self._kept.items() if k.last_id is not None][
            : max(0, len(self._kept) - KEEP_LIMIT)
        ]:
            del self._kept[sender_id]


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
