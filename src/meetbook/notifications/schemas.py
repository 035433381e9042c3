"""Wire shape of a meeting's notifications."""

from __future__ import annotations

from typing import Literal

from meetbook.core.wire import ApiModel, Instant


class Notification(ApiModel):
    id: str
    kind: Literal["booked", "rescheduled", "changed", "cancelled", "reminder"]
    recipient: str
    recipient_role: Literal["customer", "advisor", "room"]
    language: str
    status: Literal["Pending", "Sent", "Failed", "Skipped"]
    attempts: int
    created_at: Instant
    due_at: Instant
    next_attempt_at: Instant | None = None
    last_attempt_at: Instant | None = None
    sent_at: Instant | None = None
    last_error: str | None = None
    message_id: str | None = None
