"""What creating a calendar feed answers."""

from __future__ import annotations

from pydantic import Field

from meetbook.core.wire import ApiModel, Instant


class CalendarFeed(ApiModel):
    url: str = Field(
        description="The feed's secret address: anyone who has it can read the calendar, so keep it like a password. "
        "Shown only now; a new POST makes a new address and the old one stops working.",
        examples=["https://meetbook.bank.example/calendar-feeds/Jx0c7mQ2b0n3X6YpQ3l8yq8cW1oWmJ1dJ1H9bXfE0aA"],
    )
    created_at: Instant
