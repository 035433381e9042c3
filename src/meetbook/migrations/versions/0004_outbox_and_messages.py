"""the outbox (events and each consumer's deliveries), message templates, a meeting's language,
outcome and cancellation reason

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# An integer key that SQLite numbers by itself (INTEGER PRIMARY KEY) and PostgreSQL as a bigint identity.
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("uid", sa.String(36), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(36), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_outbox_events_unplanned", "outbox_events", ["planned_at", "id"])
    op.create_index("ix_outbox_events_subject", "outbox_events", ["subject_id", "id"])
    op.create_table(
        "outbox_deliveries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", SERIAL, sa.ForeignKey("outbox_events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("consumer", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(36), nullable=True),
        sa.Column("recipient", sa.String(2000), nullable=True),
        sa.Column("ordering_key", sa.String(200), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("give_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outbox_deliveries_due", "outbox_deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_deliveries_subject", "outbox_deliveries", ["subject_id", "consumer"])
    op.create_index("ix_outbox_deliveries_order", "outbox_deliveries", ["consumer", "ordering_key", "event_id"])
    op.create_table(
        "message_templates",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("language", sa.String(10), primary_key=True),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("language", sa.String(10), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(20), nullable=True))
        batch.add_column(sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("outcome_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("cancellation_reason", sa.String(1000), nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.String(200), nullable=True))
    with op.batch_alter_table("organization_settings") as batch:
        batch.add_column(sa.Column("bank_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("default_language", sa.String(10), nullable=False, server_default="da-DK"))
        batch.add_column(sa.Column("send_confirmation_to_customer", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("reminder_lead_times", sa.JSON(), nullable=False, server_default="[86400]"))


def downgrade() -> None:
    with op.batch_alter_table("organization_settings") as batch:
        for column in ("reminder_lead_times", "send_confirmation_to_customer", "default_language", "bank_name"):
            batch.drop_column(column)
    with op.batch_alter_table("meetings") as batch:
        for column in ("cancelled_by", "cancellation_reason", "outcome_by", "outcome_at", "outcome", "language"):
            batch.drop_column(column)
    op.drop_table("message_templates")
    op.drop_table("outbox_deliveries")
    op.drop_table("outbox_events")
