"""localized names: topics, customer types and branches named per language; meeting types' and closing days'
names and the bank's logo in the settings

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("topics", "customer_types", "locations"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("names", sa.JSON(), nullable=True))
    with op.batch_alter_table("organization_settings") as batch:
        batch.add_column(sa.Column("meeting_type_names", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("closing_day_translations", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("logo_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organization_settings") as batch:
        batch.drop_column("logo_url")
        batch.drop_column("closing_day_translations")
        batch.drop_column("meeting_type_names")
    for table in ("locations", "customer_types", "topics"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("names")
