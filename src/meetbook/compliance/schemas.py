"""Wire shapes of the audit log and of an erasure."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from meetbook.core.wire import ApiModel, Instant


class AuditEntry(ApiModel):
    seq: int = Field(description="Position in the hash chain (1, 2, 3...)")
    at: Instant
    actor_subject: str | None = Field(description="The token's subject; null for the service's own work (sweeper, command line)")
    actor_scope: str = Field(description="The token's scopes, or system / cli")
    request_id: str | None = Field(description="The X-Request-ID of the request that made the change")
    entity: str = Field(description="The table changed (meetings, employees, organization_settings...), or retention / customers")
    entity_id: str | None
    action: str = Field(description="created, updated, deleted, purged, erased")
    before: dict[str, Any] | None = Field(
        description="The changed fields before (customers' personal data and free text as [redacted])"
    )
    after: dict[str, Any] | None
    prev_hash: str
    hash: str


class AuditPage(ApiModel):
    entries: list[AuditEntry]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last page")


class Erasure(ApiModel):
    meetings: int = Field(description="Meetings anonymised (kept for statistics)")
    holds: int = Field(description="Holds deleted")
    outbox_events: int = Field(description="Outbox events whose copy of the meeting was scrubbed")
    outbox_deliveries: int = Field(description="Messages to the customer scrubbed (those not yet sent are skipped)")
