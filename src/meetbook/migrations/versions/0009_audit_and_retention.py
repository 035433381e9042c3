"""the audit trail (hash-chained, append-only) and the bank's retention periods

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Append-only in the database too: changing or deleting a row needs the trigger dropped first (which
# `meetbook audit verify` then detects by the hashes).
_PG_GUARD = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""
_SQLITE_GUARD = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", SERIAL, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_subject", sa.String(200), nullable=True),
        sa.Column("actor_scope", sa.String(200), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor_subject"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
    else:
        for statement in _SQLITE_GUARD:
            op.execute(statement)
    # The retention sweep finds past meetings by their end.
    op.create_index("ix_meetings_end", "meetings", ["end"])
    with op.batch_alter_table("organization_settings") as batch:
        batch.add_column(sa.Column("calendar_entry_retention", sa.Integer(), nullable=False, server_default="604800"))
        batch.add_column(sa.Column("meeting_text_retention", sa.BigInteger(), nullable=True, server_default="2592000"))


def downgrade() -> None:
    with op.batch_alter_table("organization_settings") as batch:
        batch.drop_column("meeting_text_retention")
        batch.drop_column("calendar_entry_retention")
    op.drop_index("ix_meetings_end", "meetings")
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_append_only()")
