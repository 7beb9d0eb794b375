"""The support inbox: messages and the audit log.

Revision ID: 0001
Revises:
Created: 2025-11-30
"""

import sqlalchemy as sa
from alembic import op

from inbox.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("contact_method", sa.String(8), nullable=False),
        sa.Column("contact_enc", sa.Text(), nullable=True),
        sa.Column("best_time_enc", sa.Text(), nullable=True),
        sa.Column("text_enc", sa.Text(), nullable=False),
        sa.Column("contact_hash", sa.String(64), nullable=True),
        sa.Column("urgent", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_note_enc", sa.Text(), nullable=True),
        sa.Column("handled_by", sa.String(128), nullable=True),
        sa.Column("handled_at", UTCDateTime(), nullable=True),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
        sa.Column("notify_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("notify_error", sa.String(200), nullable=True),
        sa.CheckConstraint("status IN ('open', 'contacted', 'closed')", name=op.f("ck_support_messages_status")),
        sa.CheckConstraint(
            "contact_method IN ('phone', 'email', 'none')", name=op.f("ck_support_messages_contact_method")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_messages")),
        sa.UniqueConstraint("reference", name=op.f("uq_support_messages_reference")),
    )
    op.create_index(op.f("ix_support_messages_created_at"), "support_messages", ["created_at"])
    op.create_index(op.f("ix_support_messages_next_attempt_at"), "support_messages", ["next_attempt_at"])
    op.create_index(
        op.f("ix_support_messages_conversation_id_created_at"), "support_messages", ["conversation_id", "created_at"]
    )
    op.create_index(
        op.f("ix_support_messages_contact_hash_created_at"), "support_messages", ["contact_hash", "created_at"]
    )
    op.create_index(
        op.f("ix_support_messages_status_urgent_created_at"), "support_messages", ["status", "urgent", "created_at"]
    )
    op.create_table(
        "support_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_audit")),
    )
    op.create_index(op.f("ix_support_audit_at"), "support_audit", ["at"])
    op.create_index(op.f("ix_support_audit_message_id"), "support_audit", ["message_id"])


def downgrade() -> None:
    op.drop_table("support_audit")
    op.drop_table("support_messages")
