"""Alembic's entry for the inbox: runs on the connection inbox/migrate.py
hands over (or on SUPPORT_INBOX_URL's database)."""

from alembic import context

from inbox import db
from inbox.migrate import configure_options


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **configure_options())
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = db.create_engine(db.database_url())
    try:
        with db.write(engine, lock=db.LOCK_MIGRATE) as own:
            context.configure(connection=own, **configure_options())
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run()
