"""Webhook subscriptions: where a bank's systems want to hear about meetings and employees.

Their deliveries are outbox deliveries (`tables.outbox.DeliveryRow`) whose consumer is
`webhook:<subscription id>`. The signing secret is kept as it is shown (`whsec_...`): signing needs
it, unlike a password. After a rotation the previous secret signs alongside until
`previous_secret_until`, so a receiver can switch without missing a message.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from meetbook.core.db import Base, UTCDateTime, new_id

ALL_EVENTS = "*"
CONSUMER = "webhook"


def consumer_of(subscription_id: str) -> str:
    """The deliveries' consumer column of one subscription."""
    return f"{CONSUMER}:{subscription_id}"


class WebhookRow(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSON, default=list)  # event kinds, or ["*"]
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    previous_secret_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The first failed attempt since the last success (null: the last attempt succeeded). A delivery
    # that fails for good while this is older than its first attempt means nothing got through for
    # the whole three days: the subscription is disabled.
    failing_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    def wants(self, kind: str) -> bool:
        return ALL_EVENTS in (self.events or ()) or kind in (self.events or ())
