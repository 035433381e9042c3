"""Wire shapes of webhook subscriptions and their delivery log."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from meetbook.core.wire import ApiModel, Instant, line, text
from meetbook.tables.outbox import EVENT_KINDS

URL_EXAMPLE = "https://crm.bank.example/hooks/meetbook"
URL = line(2000, min_length=1)
EVENTS_TEXT = f"Event types to receive: any of {', '.join(EVENT_KINDS)}, or [\"*\"] for all"
Events = list[line(40, min_length=1)]


class WebhookCreate(ApiModel):
    url: URL = Field(examples=[URL_EXAMPLE], description="Where deliveries are POSTed (https in production)")
    events: Events = Field(min_length=1, max_length=len(EVENT_KINDS) + 1, examples=[["meeting.booked", "meeting.cancelled"]],
                           description=EVENTS_TEXT)
    description: text(500) | None = Field(default=None, examples=["CRM: opportunities follow meetings"])


class WebhookChange(ApiModel):
    """PATCH as a merge: the fields given replace the subscription's."""

    url: URL | None = Field(default=None, examples=[URL_EXAMPLE])
    events: Events | None = Field(default=None, min_length=1, max_length=len(EVENT_KINDS) + 1, description=EVENTS_TEXT)
    description: text(500) | None = None
    enabled: bool | None = Field(default=None, description="true re-enables a disabled subscription; false pauses it")


class Webhook(ApiModel):
    id: str
    url: str
    events: list[str]
    description: str | None = None
    enabled: bool
    disabled_reason: str | None = Field(default=None, description="Why the subscription was disabled (null while enabled)")
    disabled_at: Instant | None = None
    failing_since: Instant | None = Field(default=None, description="The first failed attempt since the last success")
    previous_secret_valid_until: Instant | None = Field(
        default=None, description="After a rotation, the old secret signs alongside the new one until then"
    )
    created_at: Instant
    updated_at: Instant


class WebhookWithSecret(Webhook):
    secret: str = Field(description="The signing secret (whsec_...): shown only when created or rotated",
                        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])


class WebhookDelivery(ApiModel):
    id: str
    webhook_id: str = Field(description="The webhook-id header: the same on every attempt of this delivery")
    event_type: str
    subject_id: str | None = None
    url: str | None = None
    status: Literal["Pending", "Sent", "Failed", "Skipped"]
    attempts: int
    response_code: int | None = None
    duration_ms: int | None = None
    last_error: str | None = None
    created_at: Instant
    last_attempt_at: Instant | None = None
    next_attempt_at: Instant | None = None
    finished_at: Instant | None = None
