"""The inbox's tables, the one model of the SQLite and PostgreSQL stores and
of the Alembic migrations (inbox/migrations/; a test checks they agree).

Columns ending in `_enc` hold Fernet tokens (inbox/crypto.py), never the
clear text. Times are UTC, stored without a zone."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

import sqlalchemy as sa

STATUSES = ("open", "contacted", "closed")
CONTACT_METHODS = ("phone", "email", "none")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(sa.types.TypeDecorator):
    """An aware UTC datetime, stored as a naive one in UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("inbox times must be aware datetimes")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        return None if value is None else value.replace(tzinfo=timezone.utc)


messages = sa.Table(
    "support_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("conversation_id", sa.String(128), nullable=False),
    sa.Column("contact_method", sa.String(8), nullable=False),
    sa.Column("contact_enc", sa.Text, nullable=True),
    sa.Column("best_time_enc", sa.Text, nullable=True),
    sa.Column("text_enc", sa.Text, nullable=False),
    # HMAC of the normalised address (inbox/contact.py address_key), for the limit.
    sa.Column("contact_hash", sa.String(64), nullable=True),
    sa.Column("urgent", sa.Boolean(create_constraint=False), nullable=False, default=False),
    sa.Column("status", sa.String(16), nullable=False, default="open"),
    sa.Column("status_note_enc", sa.Text, nullable=True),
    sa.Column("handled_by", sa.String(128), nullable=True),
    sa.Column("handled_at", UTCDateTime, nullable=True),
    # The e-mail to the team: sent at notified_at; else tried again from next_attempt_at.
    sa.Column("notified_at", UTCDateTime, nullable=True),
    sa.Column("notify_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UTCDateTime, nullable=True, index=True),
    sa.Column("notify_error", sa.String(200), nullable=True),
    sa.CheckConstraint("status IN ('open', 'contacted', 'closed')", name="status"),
    sa.CheckConstraint("contact_method IN ('phone', 'email', 'none')", name="contact_method"),
    sa.Index(None, "conversation_id", "created_at"),
    sa.Index(None, "contact_hash", "created_at"),
    sa.Index(None, "status", "urgent", "created_at"),
)

# Who opened or handled which message, and when; never the message's
# personal details. Kept when the message is deleted (message_id then NULL).
audit = sa.Table(
    "support_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("user", sa.String(128), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("message_id", sa.Integer, nullable=True, index=True),
    sa.Column("reference", sa.String(16), nullable=False),
    sa.Column("detail", sa.String(64), nullable=True),
)
