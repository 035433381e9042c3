"""Wire shapes of an advisor's calendar connection."""

from __future__ import annotations

from pydantic import Field

from meetbook.core.wire import ApiModel, Instant, line

URL_EXAMPLE = "https://cloud.bank.example/remote.php/dav/calendars/anna/personal/"


class CalendarConnectionIn(ApiModel):
    url: line(2000, min_length=1) = Field(
        examples=[URL_EXAMPLE],
        description="The calendar's CalDAV address (a calendar collection); a server's or an account's address finds the "
        "account's first calendar of events. https outside development.",
    )
    username: line(320, min_length=1) = Field(examples=["anna"])
    password: line(1000, min_length=1) = Field(
        examples=["an-app-password"],
        description="Write-only: stored encrypted, never shown again. An app password where the provider has them.",
    )


class CalendarConnection(ApiModel):
    employee_id: str
    url: str
    username: str
    calendar_url: str | None = Field(default=None, description="The calendar found behind the URL at the last sync")
    last_sync_at: Instant | None = Field(default=None, description="The last sync that read the calendar (null: none yet)")
    last_attempt_at: Instant | None = Field(default=None, description="The last sync tried, whether it worked or not")
    last_error: str | None = Field(default=None, description="Why the last sync failed (null when it worked)")
    consecutive_failures: int = Field(description="Syncs failed in a row since the last one that worked")
    stale: bool = Field(
        description="true after 3 failed syncs in a row: the advisor's busy time is the last known, possibly out of date "
        "(it is kept, never dropped, so the advisor never looks free because the calendar could not be read)"
    )
    events_seen: int = Field(description="Event occurrences in the calendar from now to the booking horizon at the last sync")
    next_sync_at: Instant
    created_at: Instant
    updated_at: Instant
