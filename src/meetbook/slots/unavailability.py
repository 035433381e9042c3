"""Why a search finds no time, and what to offer instead: GET /bookme/time-slots/unavailability.

The reasons come from the search's own plan (`SearchPlan(..., reasons=True)`), over the same read
as the search. The alternatives are the same search changed in one thing and run again, a bounded
number of times: later, online or by telephone, at a nearby branch, with another advisor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.availability import LOCAL, ONLINE, SERVICE_GROUP, TELEPHONE, SearchPlan
from meetbook.availability.model import Bank, Slot, SlotSearch
from meetbook.availability.reasons import CLOSING_DAY
from meetbook.availability.schedule import week_of
from meetbook.catalog.convert import settings_out
from meetbook.catalog.localized import BASE_LANGUAGE
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.catalog.store import organization_settings
from meetbook.core.clock import epoch
from meetbook.core.timefmt import format_instant
from meetbook.slots.service import SearchRequest, load_search, read_occupancy

DAY = 86400
LATER_STEPS = (7, 14, 28, 56, 91)  # days searched per pass after the window: at most five passes
LATER_WITHOUT_HORIZON = 182 * DAY  # how far "later" looks when the bank sets no booking horizon
BRANCHES_TRIED = 3


async def explain_unavailability(
    session: AsyncSession, cache: SnapshotCache, query: SearchRequest, now: dt.datetime, per_advisor: bool,
    lang: str = BASE_LANGUAGE,
) -> dict:
    """The wire answer: each day's reasons (per advisor when `per_advisor`), closing days named in `lang`,
    and alternatives when no day of the window is available."""
    found = await load_search(session, cache, query, now, reasons=True)
    assert found.plan is not None and found.occupancy is not None and found.bank is not None and found.search is not None
    bank = found.bank
    names = await closing_day_names(session, lang)
    days = []
    for day in found.plan.reasons(found.occupancy):
        name = names.get(day.date.isoformat())

        def named(code: str) -> dict:
            return {"name": name} if code == CLOSING_DAY and name else {}

        entry: dict = {
            "date": day.date.isoformat(),
            "available": day.available,
            "reasons": [{"code": code, **named(code), "count": count} for code, count in day.counts],
        }
        if per_advisor:
            entry["advisors"] = [{"employeeId": aid, "code": code, **named(code)} for aid, code in day.advisors]
        days.append(entry)
    alternatives: list[dict] = []
    if not any(d["available"] for d in days):
        alternatives = await _alternatives(session, bank, found.search, query, epoch(now))
    return {"days": days, "alternatives": alternatives}


async def closing_day_names(session: AsyncSession, lang: str) -> dict[str, str]:
    """ISO date -> the closing day's name in `lang`, as the configuration API reads it."""
    return settings_out(await organization_settings(session), lang).localized_closing_day_names or {}


async def _first(session: AsyncSession, bank: Bank, search: SlotSearch, query: SearchRequest, now_s: int, keep=None) -> Slot | None:
    """The earliest slot of a changed search (one engine pass, one read), or None."""
    plan = SearchPlan(search, bank, now_s)
    if not plan.advisor_ids:
        return None
    occupancy = await read_occupancy(session, bank, plan, search, now_s, query.ignore_meeting_ids)
    return next((s for s in plan.slots(occupancy) if keep is None or keep(s)), None)


def _wire(slot: Slot, kind: str, location: str | None = None) -> dict:
    return {
        "startDate": format_instant(slot.start), "endDate": format_instant(slot.end), "meetingType": slot.meeting_type,
        "employeeId": slot.employee_id, "roomId": slot.room_id, "meetingTopicId": slot.topic_id, "kind": kind,
        "location": location,
    }


async def _alternatives(session: AsyncSession, bank: Bank, search: SlotSearch, query: SearchRequest, now_s: int) -> list[dict]:
    out = []
    later = await _later(session, bank, search, query, now_s)
    if later is not None:
        out.append(_wire(later, "LaterTime"))
    # the same topic online or by telephone, when the search asked only for other types
    if search.meeting_types:
        remote = frozenset({ONLINE, TELEPHONE}) - search.meeting_types
        if remote:
            slot = await _first(session, bank, replace(search, meeting_types=remote, require_room=None,
                                                       specific_room_ids=None), query, now_s)
            if slot is not None:
                out.append(_wire(slot, "OtherMeetingType"))
    branch = search.meeting_location or search.customer_location
    if branch is not None and not search.explicit_employee_ids:
        for other in near_branches(bank, branch)[:BRANCHES_TRIED]:
            slot = await _first(session, bank, replace(search, meeting_location=other, specific_room_ids=None), query, now_s)
            if slot is not None:
                out.append(_wire(slot, "OtherBranch", other))
                break
    if search.explicit_employee_ids:
        named = set(search.explicit_employee_ids)
        pools = replace(search, explicit_employee_ids=(), employee_types=frozenset({LOCAL, SERVICE_GROUP}),
                        require_employee_participation=False)
        slot = await _first(session, bank, pools, query, now_s, keep=lambda s: s.employee_id not in named)
        if slot is not None:
            out.append(_wire(slot, "OtherAdvisor"))
    return out


async def _later(session: AsyncSession, bank: Bank, search: SlotSearch, query: SearchRequest, now_s: int) -> Slot | None:
    """The first slot after the window, in passes of growing length up to the booking horizon."""
    horizon = bank.settings.max_ahead_seconds
    limit = now_s + horizon if horizon is not None else search.window_end + LATER_WITHOUT_HORIZON
    start = max(search.window_end, now_s)
    for days in LATER_STEPS:
        if start >= limit:
            return None
        end = min(start + days * DAY, limit)
        slot = await _first(session, bank, replace(search, window_start=start, window_end=end), query, now_s)
        if slot is not None:
            return slot
        start = end
    return None


def near_branches(bank: Bank, branch: str) -> list[str]:
    """The bank's other branches, nearest first. Branches have no coordinates, city or region,
    so near means: sharing more advisors with this branch (someone who works at both on
    different weekdays), then the name."""
    shared: dict[str, int] = {}
    for adv in bank.advisors.values():
        places = set(week_of(adv.workdays).locations) - {None}
        if branch in places:
            for other in places - {branch}:
                shared[other] = shared.get(other, 0) + 1
    others = [name for name in bank.locations if name != branch]
    return sorted(others, key=lambda name: (-shared.get(name, 0), name))

