"""The places a bank's configuration names, for checking a location given in a request."""

from __future__ import annotations

from meetbook.availability.model import Bank
from meetbook.core.errors import Invalid

_latest: tuple[Bank | None, frozenset[str]] = (None, frozenset())


def known_places(bank: Bank) -> frozenset[str]:
    """Branches, where advisors work and rooms stand, and the customer locations service groups
    answer for. Kept for the latest snapshot."""
    global _latest
    if _latest[0] is not bank:
        names = set(bank.locations) | {r.location for r in bank.rooms.values()}
        names |= {w.location for a in bank.advisors.values() for w in a.workdays if w is not None and w.location}
        for g in bank.service_groups.values():
            names |= g.trigger_customer_locations | g.level_locations
        _latest = (bank, frozenset(names))
    return _latest[1]


def place(bank: Bank, name: str, field: str) -> str:
    """`name` as the bank spells it (any letter case matches). An unknown place would silently
    match nothing, so it is a 400 that lists the known ones."""
    known = known_places(bank)
    if name in known:
        return name
    spelled = {k.lower(): k for k in sorted(known)}.get(name.lower())
    if spelled is None:
        listed = ", ".join(sorted(known)) or "none are configured"
        raise Invalid(
            f"{field} '{name[:200]}' is not a location of the bank; known locations: {listed}",
            [{"field": field, "message": f"unknown location; known: {listed}"}],
        )
    return spelled
