"""holds belong to a customer: a token is unique per signed-in subject; a limit of live holds each

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The same token string from two customers is two sessions; the index also counts a customer's holds.
    with op.batch_alter_table("holds") as batch:
        batch.drop_constraint("uq_holds_token", type_="unique")
        batch.create_unique_constraint("uq_holds_subject_token", ["subject", "token"])
    with op.batch_alter_table("organization_settings") as batch:
        batch.add_column(sa.Column("max_holds_per_customer", sa.Integer(), nullable=False, server_default="3"))


def downgrade() -> None:
    with op.batch_alter_table("organization_settings") as batch:
        batch.drop_column("max_holds_per_customer")
    with op.batch_alter_table("holds") as batch:
        batch.drop_constraint("uq_holds_subject_token", type_="unique")
        batch.create_unique_constraint("uq_holds_token", ["token"])
