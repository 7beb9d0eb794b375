"""Alembic migrations of the inbox (inbox/migrations/), run from code: the
store brings its database to the newest version on first use, so no
alembic.ini is needed. For developers, after changing inbox/models.py:

    .venv/bin/python -m inbox.migrate revision -m "what changed"   # autogenerate, then read it
    .venv/bin/python -m inbox.migrate upgrade                       # SUPPORT_INBOX_URL's database
    .venv/bin/python -m inbox.migrate check                         # model and migrations agree
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, List, Optional, Sequence

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine

from inbox import db
from inbox.models import metadata

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "support_inbox_version"


def config(connection: Optional[Connection] = None) -> Config:
    """Alembic's configuration, built in code; env.py uses `connection`."""
    settings = Config()
    settings.set_main_option("script_location", str(MIGRATIONS))
    settings.set_main_option("file_template", "r%%(rev)s_%%(slug)s")  # an importable module name
    settings.attributes["connection"] = connection
    return settings


def configure_options() -> dict:
    """The options env.py passes to Alembic's context.configure."""
    return {"target_metadata": metadata, "version_table": VERSION_TABLE, "render_as_batch": True, "compare_type": True}


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision`, one process at a time."""
    with db.write(engine, lock=db.LOCK_MIGRATE) as connection:
        command.upgrade(config(connection), revision)


def differences(engine: Engine) -> List[Any]:
    """What Alembic's autogenerate finds between the database and the model."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE, "compare_type": True})
        return list(compare_metadata(context, metadata))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Migrations of the support inbox (SUPPORT_INBOX_URL).")
    parser.add_argument("command", choices=["upgrade", "revision", "check"])
    parser.add_argument("-m", "--message", default="change", help="the new revision's message")
    args = parser.parse_args(argv)
    engine = db.create_engine(db.database_url())
    try:
        if args.command == "upgrade":
            upgrade(engine)
        elif args.command == "revision":
            upgrade(engine)
            with engine.begin() as connection:
                command.revision(config(connection), message=args.message, autogenerate=True)
        else:
            upgrade(engine)
            found = differences(engine)
            for difference in found:
                print(difference)
            return 1 if found else 0
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
