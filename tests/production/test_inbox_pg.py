"""The support inbox store on the production profile's PostgreSQL (its own
database `inbox` on the same server): the same contract as on SQLite
(tests/inbox_contract.py), each test on freshly migrated tables, and the
model and migrations agreeing there too."""

from __future__ import annotations

from typing import Iterator

import pytest
import sqlalchemy as sa

from inbox import migrate
from inbox.store import InboxStore
from tests.inbox_contract import KEY, TEAMS, StoreContract
from tests.production.conftest import drop_inbox_tables


@pytest.fixture
def inbox_url(postgres) -> str:
    """The profile's inbox database, emptied (tables dropped) for each test."""
    drop_inbox_tables(postgres)
    return postgres.inbox_url


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def make_store(self, inbox_url) -> Iterator:
        stores = []

        def make(clock, key=KEY, support_teams=TEAMS):
            stores.append(InboxStore(inbox_url, key, support_teams=support_teams, clock=clock))
            return stores[-1]

        yield make
        for store in stores:
            store.dispose()


def test_the_model_and_the_migrations_agree_on_postgresql(inbox_url):
    store = InboxStore(inbox_url, KEY)
    engine = store.engine  # migrated on first use
    assert engine.dialect.name == "postgresql"
    assert migrate.differences(engine) == []
    tables = set(sa.inspect(engine).get_table_names())
    assert {"support_messages", "support_audit", migrate.VERSION_TABLE} <= tables
    assert "events" not in tables  # not the tracker store's database
    store.dispose()


def test_the_profile_gives_the_inbox_its_database_and_key(postgres):
    env = postgres.env()
    assert env["SUPPORT_INBOX_URL"].endswith("/inbox") and env["SUPPORT_INBOX_URL"].startswith("postgresql://")
    store = InboxStore.from_env(env)  # the key is there and valid
    assert store.url.database == "inbox"
