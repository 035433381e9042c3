"""Domain errors. They say what went wrong in the bank's words; the HTTP layer picks the status."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str, errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class Invalid(DomainError):
    """The request breaks a rule of its own shape or values."""


class NotFound(DomainError):
    """A referenced topic, customer type, employee, room, time slot or meeting does not exist."""

    @classmethod
    def of(cls, kind: str, ident: object) -> "NotFound":
        return cls(f"{kind} '{ident}' was not found")


class Conflict(DomainError):
    """The request collides with the state of the bank."""


class SlotTaken(Conflict):
    """The time slot is held or booked by someone else, or no longer offered."""


class HoldExpired(Conflict):
    """The five-minute hold ran out before the meeting was created."""


class Unauthorized(DomainError):
    """No valid access token."""


class Forbidden(DomainError):
    """A valid token without the scope this needs."""
