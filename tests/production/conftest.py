"""The production profile for the tests: the same code and Procfile as
scripts/prod.sh (ops/profile.py, deploy/Procfile.prod), started once per
test session on free loopback ports with its own state directory, and
stopped (and deleted) at the end."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from ops.profile import Profile
from tests.servers import http

# What the tests measured (outage behaviour, timings), printed at the end.
MEASURED: Dict[str, str] = {}


def new_profile(model: str = "", **overrides: Any) -> Profile:
    """A profile with free ports in a fresh state directory (not started).
    All test traffic comes from one address; production limits are per user."""
    return Profile.on_free_ports(
        model, prefix="sepsis-prod-test-", **{"rate_per_second": 200, "burst": 400, **overrides}
    )


@pytest.fixture(scope="session")
def profile(model_path: Path) -> Iterator[Profile]:
    """The whole profile running: PostgreSQL, Redis, action server, two Rasa
    servers and nginx."""
    running = new_profile(str(model_path))
    start = time.monotonic()
    try:
        running.start()
    except Exception:
        logs = running.state / "logs"
        for log in sorted(logs.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        running.remove()
        raise
    MEASURED["profile start (2 Rasa servers, cold)"] = f"{time.monotonic() - start:.1f} s"
    yield running
    running.remove()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Profile]:
    """Only the profile's PostgreSQL (tracker store and support inbox
    databases), without a model or the other services: for the tests of
    what is stored (retention, the inbox store)."""
    running = new_profile()
    try:
        running.start_service("postgres")
    except Exception:
        print(_tail_log(running, "postgres"))
        running.remove()
        raise
    yield running
    running.remove()


def drop_inbox_tables(profile: Profile) -> None:
    """Empty the profile's support inbox database (its store migrates it again)."""
    import sqlalchemy as sa

    from inbox.migrate import VERSION_TABLE

    engine = sa.create_engine(profile.inbox_url)
    with engine.begin() as connection:
        for table in ("support_audit", "support_messages", VERSION_TABLE):
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    engine.dispose()


def _tail_log(profile: Profile, name: str) -> str:
    log = profile.log(name)
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def chat(base_url: str, sender: str, text: str, **metadata: Any) -> Tuple[int, Any, float]:
    """POST one message to a REST webhook: (status, answer, seconds taken)."""
    payload: Dict[str, Any] = {"sender": sender, "message": text}
    if metadata:
        payload["metadata"] = metadata
    start = time.monotonic()
    headers = {"Content-Type": "application/json", "X-Conversation": sender}  # as the widget sends it
    status, answer = http("POST", f"{base_url}/webhooks/rest/webhook", json.dumps(payload).encode(), headers)
    return status, answer, time.monotonic() - start


def responses(answer: Any) -> List[str]:
    """The `response` tags of a webhook answer (None for untagged texts)."""
    assert isinstance(answer, list), answer
    return [message.get("response") for message in answer]


def stored_events(profile: Profile, sender: str) -> List[Dict[str, Any]]:
    """The conversation's events as stored in PostgreSQL, in order."""
    import sqlalchemy as sa

    settings = profile.settings
    url = sa.engine.URL.create(
        "postgresql",
        username="rasa",
        password=settings.db_password,
        host="127.0.0.1",
        port=settings.postgres_port,
        database="rasa",
    )
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT id, type_name, timestamp, data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender},
            ).all()
    finally:
        engine.dispose()
    return [{"id": r.id, "event": r.type_name, "timestamp": r.timestamp, **json.loads(r.data)} for r in rows]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if MEASURED:
        terminalreporter.section("production profile (measured)")
        for what, value in MEASURED.items():
            terminalreporter.write_line(f"{what}: {value}")
