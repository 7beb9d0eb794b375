"""The fast SQL tracker store (rasa_ext/sql_tracker_store.py) on the
profile's PostgreSQL: the contract of tests/sql_store_contract.py (same
answers, rows and state as Rasa's SQL store; a conversation another server
answered is read again), and the plans of its two queries (EXPLAIN, printed
at the end and quoted in docs/production.md) use the (sender_id, id)
index."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain

import rasa_ext
from rasa_ext.sql_tracker_store import INDEX_NAME, FastSQLTrackerStore
from tests.conftest import ROOT, rasa_ext_as_before
from tests.production.conftest import MEASURED
from tests.sql_store_contract import another_server_wrote, contract

FILLER = 20_000  # rows of other conversations, so the planner sees a table worth an index


@pytest.fixture(scope="module", autouse=True)
def piece_on():
    with rasa_ext_as_before():
        rasa_ext.install(["sql_tracker_store"])
        yield


@pytest.fixture(scope="module")
def postgres(profile) -> Dict[str, Any]:
    """Settings of the profile's PostgreSQL for a tracker store."""
    s = profile.settings
    return {
        "dialect": "postgresql",
        "host": "127.0.0.1",
        "port": s.postgres_port,
        "db": "rasa",
        "username": "rasa",
        "password": s.db_password,
    }


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def test_same_answers_rows_and_state_as_rasas_sql_store(model_path, domain, postgres) -> None:
    contract(model_path, domain, lambda name: postgres, "postgres")


def test_a_conversation_another_server_answered_is_read_again(domain, postgres) -> None:
    another_server_wrote(domain, postgres, "moved-postgres")


@pytest.fixture
def filled(domain, postgres) -> Iterator[FastSQLTrackerStore]:
    """The store, with FILLER rows of other conversations (removed afterwards)."""
    store = FastSQLTrackerStore(domain, **postgres)
    with store.engine.begin() as db:
        db.execute(
            sa.text(
                "INSERT INTO events (sender_id, type_name, timestamp, data) "
                "SELECT 'filler-' || (n % 2000), 'user', n, '{}' FROM generate_series(1, :n) AS n"
            ),
            {"n": FILLER},
        )
        db.execute(sa.text("ANALYZE events"))
    yield store
    with store.engine.begin() as db:
        db.execute(sa.text("DELETE FROM events WHERE sender_id LIKE 'filler-%'"))


def plan(store: FastSQLTrackerStore, query: Any) -> List[str]:
    """PostgreSQL's plan for an ORM query, as lines."""
    compiled = query.statement.compile(store.engine, compile_kwargs={"literal_binds": True})
    with store.engine.connect() as db:
        return [line for (line,) in db.execute(sa.text(f"EXPLAIN {compiled}"))]


def test_the_id_check_and_the_read_use_the_index(filled) -> None:
    store = filled
    with store.session_scope() as session:
        id_check = session.query(sa.func.max(store.SQLEvent.id)).filter(store.SQLEvent.sender_id == "filler-7")
        read = store._event_query(session, "filler-7", fetch_events_from_all_sessions=False).with_entities(
            store.SQLEvent.id, store.SQLEvent.data
        )
        plans = {"id check": plan(store, id_check), "read": plan(store, read)}
    for name, lines in plans.items():
        MEASURED[f"EXPLAIN, {name}"] = "\n    " + "\n    ".join(lines)
    assert INDEX_NAME in " ".join(plans["id check"]) and "Seq Scan" not in " ".join(plans["id check"])
    assert "Seq Scan" not in " ".join(plans["read"])
