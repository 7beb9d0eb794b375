"""The inbox's Alembic migrations: `upgrade head` on an empty database makes
the tables of the model, again is a no-op, the model and the migrations
agree (autogenerate finds nothing; it does find a change), and a store
migrates its database by itself on first use."""

from __future__ import annotations

import sqlalchemy as sa

from inbox import db, migrate
from inbox.models import metadata
from inbox.store import InboxStore
from tests.inbox_contract import KEY, message


def engine_at(tmp_path):
    return db.create_engine(db.database_url(f"sqlite:///{tmp_path / 'inbox.db'}"))


def test_upgrade_head_on_an_empty_database_creates_the_tables(tmp_path):
    engine = engine_at(tmp_path)
    assert sa.inspect(engine).get_table_names() == []
    migrate.upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) == {"support_messages", "support_audit", migrate.VERSION_TABLE}
    with engine.connect() as connection:
        assert connection.execute(sa.text(f"SELECT version_num FROM {migrate.VERSION_TABLE}")).scalar() == "0001"
    migrate.upgrade(engine)  # already there: nothing to do
    engine.dispose()


def test_the_model_and_the_migrations_agree(tmp_path):
    engine = engine_at(tmp_path)
    migrate.upgrade(engine)
    assert migrate.differences(engine) == []
    engine.dispose()


def test_the_comparison_would_see_a_change(tmp_path):
    engine = engine_at(tmp_path)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE support_audit ADD COLUMN extra TEXT")
        connection.exec_driver_sql("DROP INDEX ix_support_audit_at")
    found = [str(difference) for difference in migrate.differences(engine)]
    assert any("remove_column" in item and "extra" in item for item in found), found
    assert any("add_index" in item and "ix_support_audit_at" in item for item in found), found
    engine.dispose()


def test_every_table_of_the_model_is_made_by_a_migration(tmp_path):
    engine = engine_at(tmp_path)
    migrate.upgrade(engine)
    made = sa.inspect(engine)
    for table in metadata.sorted_tables:
        assert {c["name"] for c in made.get_columns(table.name)} == set(table.columns.keys()), table.name
    engine.dispose()


def test_a_store_migrates_on_first_use(tmp_path):
    store = InboxStore(f"sqlite:///{tmp_path / 'inbox.db'}", KEY)
    store.leave(message())
    assert migrate.VERSION_TABLE in sa.inspect(store.engine).get_table_names()
    store.dispose()


def test_the_check_command_passes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SUPPORT_INBOX_URL", f"sqlite:///{tmp_path / 'inbox.db'}")
    assert migrate.main(["check"]) == 0
    assert capsys.readouterr().out == ""
