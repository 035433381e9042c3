"""calendar feeds: one secret URL (kept as a SHA-256 hash) per advisor or room

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("employee_id", sa.String(36), nullable=True),
        sa.Column("room_id", sa.String(36), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        # The feed goes with its owner.
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_calendar_feeds_employee_id_employees"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_calendar_feeds_room_id_rooms"), ondelete="CASCADE"),
        sa.UniqueConstraint("employee_id", name=op.f("uq_calendar_feeds_employee_id")),
        sa.UniqueConstraint("room_id", name=op.f("uq_calendar_feeds_room_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
        sa.CheckConstraint("(employee_id IS NULL) <> (room_id IS NULL)", name=op.f("ck_calendar_feeds_one_owner")),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
