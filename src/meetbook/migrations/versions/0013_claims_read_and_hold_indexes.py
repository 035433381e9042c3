"""claims: a search's named read from the index alone on PostgreSQL; a hold's and a meeting's claims by their id

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25
"""
from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# PostgreSQL: a named search read (tables.occupancy) looks up each resource's claims in the window
# by (resource, start_s); carrying end_s, meeting_seconds and expires_s in the index makes it an
# index-only scan (a branch's week, 183 resources: about 3.0 -> 1.5 ms of backend CPU).
# Both databases: a hold's claims by hold_id. Booking a hold hands its claims to the meeting
# (UPDATE ... WHERE hold_id) and deletes the hold (the foreign key's ON DELETE CASCADE looks for
# its claims): without an index each was a scan of every claim (about 1.2 ms each on 22,000).
# Few claims belong to a hold, so the index holds only those. A meeting's claims likewise
# (cancelling, moving or erasing a meeting, a hold that moves one); a hold's claims stay out of it.


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_claims_resource_covering", "claims", ["resource", "start_s"],
                        postgresql_include=["end_s", "meeting_seconds", "expires_s"])
        op.drop_index("ix_claims_resource_start", table_name="claims")
    op.create_index("ix_claims_hold_id", "claims", ["hold_id"], postgresql_where=text("hold_id IS NOT NULL"),
                    sqlite_where=text("hold_id IS NOT NULL"))
    op.create_index("ix_claims_meeting_id", "claims", ["meeting_id"], postgresql_where=text("meeting_id IS NOT NULL"),
                    sqlite_where=text("meeting_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_claims_meeting_id", table_name="claims")
    op.drop_index("ix_claims_hold_id", table_name="claims")
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_claims_resource_start", "claims", ["resource", "start_s"])
        op.drop_index("ix_claims_resource_covering", table_name="claims")
