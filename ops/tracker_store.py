"""Rasa's SQL tracker store, with each pooled connection checked before use.

Measured with the production profile (tests/production): after PostgreSQL
restarts, Rasa's own `SQLTrackerStore` hands out a dead pooled connection
once per server; the read fails, Rasa's fail-safe wrapper treats the
conversation as new and then saves that new session to the database, so
the conversation loses its language and any pending question. With
SQLAlchemy's `pool_pre_ping` a dead connection is replaced before it is
used, and conversations simply continue. Everything else is Rasa's
`SQLTrackerStore` (same table, same settings in deploy/endpoints.yml).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class CheckedSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` whose connection pool pings connections before use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url  # type: ignore[has-type]  # set by SQLTrackerStore.__init__
        self.engine.dispose()  # type: ignore[has-type]
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
