"""calendar sync: advisors' calendar connections, what was pushed into them, and the source of synced entries

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_connections",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("employee_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("username", sa.String(320), nullable=False),
        sa.Column("password_encrypted", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("calendar_url", sa.String(2000), nullable=True),
        sa.Column("ctag", sa.String(500), nullable=True),
        sa.Column("read_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("events_seen", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_connections")),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_calendar_connections_employee_id_employees"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("employee_id", name=op.f("uq_calendar_connections_employee_id")),
    )
    op.create_index("ix_calendar_connections_due", "calendar_connections", ["next_sync_at"], unique=False)
    op.create_table(
        "calendar_pushes",
        sa.Column("connection_id", sa.String(36), nullable=False),
        sa.Column("meeting_id", sa.String(36), nullable=False),
        sa.Column("href", sa.String(2000), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conflict_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("connection_id", "meeting_id", name=op.f("pk_calendar_pushes")),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["calendar_connections.id"], name=op.f("fk_calendar_pushes_connection_id_calendar_connections"),
            ondelete="CASCADE",
        ),
    )
    # Nullable columns: added in place on both databases (no table rebuild on SQLite).
    op.add_column("calendar_entries", sa.Column("source", sa.String(36), nullable=True))
    op.add_column("calendar_entries", sa.Column("source_uid", sa.String(1000), nullable=True))
    op.create_index("ix_calendar_entries_source", "calendar_entries", ["source"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_calendar_entries_source", table_name="calendar_entries")
    with op.batch_alter_table("calendar_entries") as batch_op:
        batch_op.drop_column("source_uid")
        batch_op.drop_column("source")
    op.drop_table("calendar_pushes")
    op.drop_index("ix_calendar_connections_due", table_name="calendar_connections")
    op.drop_table("calendar_connections")
