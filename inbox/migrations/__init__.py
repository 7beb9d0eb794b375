"""Alembic migrations of the inbox (inbox/migrate.py runs them)."""
