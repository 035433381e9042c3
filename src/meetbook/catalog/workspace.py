"""What the staff workspace reads of the configuration: who the signed-in employee is, and the
branch view (advisors x days of a week: hours, where, load against the daily cap, and why an
advisor cannot be booked)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.auth.tokens import Principal
from meetbook.availability import model as a
from meetbook.availability.daily_cap import daily_limit
from meetbook.availability.memo import bank_memo
from meetbook.availability.pools import qualified_set, topic_lineage
from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.core.errors import NotFound
from meetbook.tables import catalog as m
from meetbook.tables.meetings import BOOKED, MeetingRow


async def staff_member(session: AsyncSession, who: Principal) -> c.StaffMember:
    """The employee the token speaks for: its subject is their id or externalId (the calendar feeds' rule)."""
    row = await session.scalar(
        select(m.EmployeeRow).where(or_(m.EmployeeRow.id == who.subject, m.EmployeeRow.external_id == who.subject)).limit(1)
    )
    if row is None:
        raise NotFound(f"no employee has the id or externalId '{who.subject}' (the token's subject)")
    return c.StaffMember(employee=convert.employee_out(row), is_manager="admin" in who.scopes)


def _problems(advisor: a.Advisor, has_schedule: bool, qualified: frozenset[str], in_service_group: bool) -> list[str]:
    """Why a customer's search never reaches the advisor, the way BookMe flags misconfigured advisors."""
    out = []
    if not has_schedule:
        out.append("NoSchedule")
    elif not any(w is not None and w.is_available for w in advisor.workdays):
        out.append("NoWorkdays")
    if has_schedule and not advisor.can_be_booked:
        out.append("NotBookable")
    if advisor.id not in qualified and not in_service_group:
        out.append("NoQualification")
    return out


async def branch_overview(session: AsyncSession, bank: a.Bank, location: str, day: dt.date) -> c.BranchOverview:
    """The week of `day` (Monday to Sunday, bank time zone) at one branch."""
    if await session.scalar(select(m.LocationRow.id).where(m.LocationRow.location == location)) is None:
        raise NotFound.of("location", location)
    zone = ZoneInfo(bank.settings.time_zone)
    monday = day - dt.timedelta(days=day.weekday())
    dates = [monday + dt.timedelta(days=n) for n in range(7)]
    memo = bank_memo(bank)
    # Qualified for at least one of the bank's topics for a customer type the topic is for, or reached through a service group.
    qualified = frozenset().union(*(
        qualified_set(bank, memo.tree, topic_lineage(bank, t.id), ct)
        for t in bank.topics.values() for ct in (t.customer_type_ids or (None, *bank.customer_type_ids))
    ))
    grouped = frozenset().union(*memo.service_group_members.values()) if memo.service_group_members else frozenset()
    scheduled = set(await session.scalars(select(m.EmployeeScheduleRow.employee_id)))
    employees = (await session.scalars(select(m.EmployeeRow))).all()

    def works_here(e: m.EmployeeRow) -> bool:
        advisor = bank.advisors.get(e.id)
        return e.location == location or bool(advisor and any(w and w.location == location for w in advisor.workdays))

    here = sorted((e for e in employees if works_here(e)), key=lambda e: (_name(e).lower(), e.id))
    start = dt.datetime.combine(monday, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), zone).astimezone(dt.UTC)
    meetings = (
        await session.execute(
            select(MeetingRow.employee_id, MeetingRow.start, MeetingRow.end).where(
                MeetingRow.employee_id.in_([e.id for e in here]), MeetingRow.status == BOOKED,
                MeetingRow.start >= start, MeetingRow.start < end,
            )
        )
    ).all()
    load: dict[tuple[str, dt.date], list[int]] = {}
    for employee_id, begins, ends in meetings:
        entry = load.setdefault((employee_id, begins.astimezone(zone).date()), [0, 0])
        entry[0] += int((ends - begins).total_seconds())
        entry[1] += 1
    closed = bank.settings.closing_days
    advisors = []
    for e in here:
        advisor = bank.advisors[e.id]
        cap = daily_limit(advisor, memo.group_caps, bank.settings.max_seconds_per_day)
        days = []
        for date in dates:
            w = advisor.workdays[date.weekday()]
            booked, count = load.get((e.id, date), (0, 0))
            days.append(c.BranchDay(
                date=date, is_available=bool(w and w.is_available and date not in closed),
                from_=w.start_minute if w else None, to=w.end_minute if w else None,
                location=(w.location if w else None) or e.location, booked=booked, meetings=count, daily_cap=cap,
            ))
        advisors.append(c.BranchAdvisor(
            employee=convert.employee_out(e), can_be_booked=advisor.can_be_booked and e.id in scheduled,
            is_only_explicitly_available=advisor.only_explicit,
            problems=_problems(advisor, e.id in scheduled, qualified, e.id in grouped), days=days,
        ))
    return c.BranchOverview(
        location=location, week_start=monday, closing_days=[d for d in dates if d in closed], advisors=advisors,
    )


def _name(e: m.EmployeeRow) -> str:
    return " ".join(x for x in (e.first_name, e.last_name) if x) or e.display_name or e.initials
