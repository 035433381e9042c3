"""Import and export the bank definition file: validated whole, written all-or-nothing, idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, get_args

from pydantic import BaseModel, PlainSerializer, ValidationError
from pydantic.fields import FieldInfo
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook import messages
from meetbook.bankfile.schemas import BankDefinition
from meetbook.catalog import convert
from meetbook.catalog.admin.messages import refusal, write_template
from meetbook.catalog.store import configuration_changed, organization_settings
from meetbook.core.clock import epoch
from meetbook.core.db import new_id
from meetbook.core.errors import Invalid
from meetbook.core.timefmt import format_instant, format_time_of_day, format_timespan
from meetbook.tables import catalog as m
from meetbook.tables.calendar import CalendarEntryRow

Progress = Callable[[str, int], None]


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(file)"


def parse(document: Any) -> BankDefinition:
    if not isinstance(document, dict):
        found = "a list" if isinstance(document, list) else f"the single value '{str(document)[:40]}'"
        raise Invalid(f"a bank definition is one mapping of keys such as employees, topics, rooms; this file holds {found}")
    problems = _shape_problems(BankDefinition, document, ())
    try:
        bank = BankDefinition.model_validate(document)
    except ValidationError as exc:
        reported = {p["field"] for p in problems}
        problems += [
            {"field": field, "message": e["msg"].removeprefix("Value error, ")}
            for e in exc.errors()
            if (field := _path(e["loc"])) not in reported
        ]
    if problems:
        raise Invalid(f"the bank definition has {len(problems)} problem(s)", problems)
    return bank


# Times of day and durations, known by how they are written out (numbers inside, text on the wire).
_QUOTE = {
    format_time_of_day: 'write the time as a quoted string "hh:mm:ss"',
    format_timespan: 'write the duration as a quoted string "[d.]hh:mm:ss"',
}


def _shape_problems(model: type[BaseModel], data: Any, loc: tuple) -> list[dict[str, str]]:
    """Keys the model does not know (validation ignores them, so a typo such as `roomz` silently
    dropped the rooms), and numbers in time and duration fields, with the advice to quote them: a
    YAML 1.1 reader takes an unquoted 16:00:00 for 57600, which was once stored as 960 hours."""
    if not isinstance(data, dict):
        return []  # validation reports the wrong type
    fields = {key: f for name, f in model.model_fields.items() for key in (name, f.alias or name)}
    problems = []
    for key, value in data.items():
        here = (*loc, key)
        field = fields.get(key)
        if field is None:
            known = ", ".join(f.alias or n for n, f in model.model_fields.items())
            problems.append({"field": _path(here), "message": f"unknown key; expected one of {known}"})
            continue
        advice = _QUOTE.get(_written_by(field))
        if advice and isinstance(value, (int, float)):
            problems.append({"field": _path(here), "message": advice})
        inner = _model_in(field.annotation)
        if inner is not None and isinstance(value, list):
            for i, item in enumerate(value):
                problems += _shape_problems(inner, item, (*here, i))
        elif inner is not None:
            problems += _shape_problems(inner, value, here)
    return problems


def _written_by(field: FieldInfo) -> Callable | None:
    metadata = [*field.metadata, *(m for arg in get_args(field.annotation) for m in getattr(arg, "__metadata__", ()))]
    return next((m.func for m in metadata if isinstance(m, PlainSerializer)), None)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds: itself, optional, or in a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for arg in get_args(annotation) if (m := _model_in(arg)) is not None), None)


async def _existing(session: AsyncSession, table: type) -> list:
    return list((await session.scalars(select(table))).all())


async def import_bank(session: AsyncSession, bank: BankDefinition, progress: Progress | None = None) -> dict[str, int]:
    """Upsert everything in the file. Objects match by `id`, else by their natural key
    (customer type name, topic uniqueTopicId, employee e-mail, room location+name, location name,
    group name), so importing one file twice leaves one bank."""
    tick = progress or (lambda _what, _n: None)
    counts: dict[str, int] = {}

    async def upsert(kind: str, table: type, items: list, fields: Callable, natural: Callable) -> dict[int, str]:
        rows = await _existing(session, table)
        by_id = {r.id: r for r in rows}
        by_key = {natural(r): r for r in rows}
        ids: dict[int, str] = {}
        for i, item in enumerate(items):
            values = fields(item)
            row = by_id.get(item.id) if item.id else None
            if row is None and not item.id:
                row = by_key.get(natural(_Probe(values)))
            if row is None:
                row = table(id=item.id or new_id(), **values)
                session.add(row)
                by_id[row.id] = row
            else:
                for key, value in values.items():
                    setattr(row, key, value)
            by_key[natural(row)] = row
            ids[i] = row.id
        counts[kind] = len(items)
        await session.flush()
        tick(kind, len(items))
        return ids

    await _check_references(session, bank)

    if bank.organization_settings is not None:
        settings = await organization_settings(session)
        given = bank.organization_settings.model_fields_set
        values = convert.settings_fields(bank.organization_settings)
        # Only the keys the file gives; columns are named as the fields, but for these.
        for field in given:
            column = _SETTINGS_COLUMNS.get(field, field)
            if column in values:  # not the read-only localized* fields
                setattr(settings, column, values[column])
        counts["organizationSettings"] = 1
        tick("organizationSettings", 1)

    await upsert("locations", m.LocationRow, bank.locations, convert.location_fields, lambda r: r.location)
    await upsert("customerTypes", m.CustomerTypeRow, bank.customer_types, convert.customer_type_fields, lambda r: r.name)
    # Parents first, so a sub-topic's foreign key always finds its parent.
    topics = _parents_first(bank.topics, lambda t: t.id, lambda t: t.parent_id)
    await upsert("topics", m.TopicRow, topics, convert.topic_fields, lambda r: r.unique_topic_id)
    await upsert("rooms", m.RoomRow, bank.rooms, convert.room_fields, lambda r: (r.location, r.name))
    await upsert("employees", m.EmployeeRow, bank.employees, convert.employee_fields, lambda r: r.email.lower())

    for schedule in bank.employee_schedules:
        row = await session.get(m.EmployeeScheduleRow, schedule.employee_id)
        values = convert.schedule_fields(schedule)
        if row is None:
            session.add(m.EmployeeScheduleRow(employee_id=schedule.employee_id, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
    counts["employeeSchedules"] = len(bank.employee_schedules)
    await session.flush()
    tick("employeeSchedules", len(bank.employee_schedules))

    groups = _parents_first(bank.competence_groups, lambda g: g.id, lambda g: g.parent_group_id)
    await upsert("competenceGroups", m.CompetenceGroupRow, groups, convert.competence_group_fields, lambda r: r.name)
    await upsert("serviceGroups", m.ServiceGroupRow, bank.service_groups, convert.service_group_fields, lambda r: r.name)

    if bank.priority_rules is not None:
        await session.execute(delete(m.PriorityRuleRow))
        for position, rule in enumerate(bank.priority_rules):
            session.add(m.PriorityRuleRow(position=position, type=rule.type, label=rule.label))
        counts["priorityRules"] = len(bank.priority_rules)
        tick("priorityRules", len(bank.priority_rules))

    await upsert(
        "timeSlots",
        CalendarEntryRow,
        bank.time_slots,
        _calendar_fields,
        lambda r: (r.employee_id, r.room_id, r.start_s, r.end_s, r.status),
    )
    now = dt.datetime.now(dt.UTC)
    for template in bank.message_templates:  # checked with the rest in _check_references
        await write_template(session, template.kind, template.language, template.subject, template.body, now)
    if bank.message_templates:
        counts["messageTemplates"] = len(bank.message_templates)
        tick("messageTemplates", len(bank.message_templates))
    await configuration_changed(session)
    return counts


_SETTINGS_COLUMNS = {
    "opening_time": "opening_minute", "closing_time": "closing_minute",
    "i_cal_meeting_title": "ical_meeting_title", "i_cal_meeting_description": "ical_meeting_description",
}


class _Probe:
    """Stands in for a row when looking an object up by its natural key."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


def _calendar_fields(x) -> dict:
    now = dt.datetime.now(dt.UTC)
    return {
        "employee_id": x.employee_id,
        "room_id": x.room_id,
        "status": x.status,
        "start_s": epoch(x.start_date),
        "end_s": epoch(x.end_date),
        "service_group": x.service_group,
        "date_created": now,
        "date_modified": now,
    }


def _parents_first(items: list, ident: Callable, parent: Callable) -> list:
    pending = list(items)
    placed: list = []
    known = {ident(x) for x in items}
    done: set = set()
    while pending:
        rest = [x for x in pending if parent(x) in known and parent(x) not in done]
        ready = [x for x in pending if x not in rest]
        if not ready:  # a cycle; the reference check reports it
            ready = rest
            rest = []
        placed += ready
        done |= {ident(x) for x in ready}
        pending = rest
    return placed


async def _check_references(session: AsyncSession, bank: BankDefinition) -> None:
    """What takes the whole file and the stored bank to judge (every id referred to exists, no
    cycles, known branches, hours that open before they close, unique ids and names); all at once."""

    async def ids_of(table: type, items: list) -> set[str]:
        known = set((await session.scalars(select(table.id))).all())
        return known | {x.id for x in items if x.id}

    customer_types = await ids_of(m.CustomerTypeRow, bank.customer_types)
    topics = await ids_of(m.TopicRow, bank.topics)
    employees = await ids_of(m.EmployeeRow, bank.employees)
    rooms = await ids_of(m.RoomRow, bank.rooms)
    groups = await ids_of(m.CompetenceGroupRow, bank.competence_groups)
    problems: list[dict[str, str]] = []

    def need(path: str, value: str | None, known: set[str], kind: str) -> None:
        if value is not None and value not in known:
            problems.append({"field": path, "message": f"no {kind} with id '{value}'"})

    for i, t in enumerate(bank.topics):
        need(f"topics[{i}].parentId", t.parent_id, topics, "topic")
        for j, ct in enumerate(t.customer_type_ids):
            need(f"topics[{i}].customerTypeIds[{j}]", ct, customer_types, "customer type")
    for i, e in enumerate(bank.employees):
        for j, t in enumerate(e.skills.topic_ids):
            need(f"employees[{i}].skills.topicIds[{j}]", t, topics, "topic")
        for j, ct in enumerate(e.skills.customer_type_ids):
            need(f"employees[{i}].skills.customerTypeIds[{j}]", ct, customer_types, "customer type")
    for i, s in enumerate(bank.employee_schedules):
        need(f"employeeSchedules[{i}].employeeId", s.employee_id, employees, "employee")
    for i, g in enumerate(bank.competence_groups):
        need(f"competenceGroups[{i}].parentGroupId", g.parent_group_id, groups, "competence group")
        for j, e in enumerate(g.employee_ids):
            need(f"competenceGroups[{i}].employeeIds[{j}]", e, employees, "employee")
        for j, t in enumerate(g.topic_ids):
            need(f"competenceGroups[{i}].topicIds[{j}]", t, topics, "topic")
        for j, ct in enumerate(g.customer_type_ids):
            need(f"competenceGroups[{i}].customerTypeIds[{j}]", ct, customer_types, "customer type")
    for i, g in enumerate(bank.service_groups):
        for j, e in enumerate(g.employee_ids):
            need(f"serviceGroups[{i}].employeeIds[{j}]", e, employees, "employee")
        for j, cg in enumerate(g.competence_group_ids):
            need(f"serviceGroups[{i}].competenceGroupIds[{j}]", cg, groups, "competence group")
        for j, t in enumerate(g.service_trigger.topic_ids):
            need(f"serviceGroups[{i}].serviceTrigger.topicIds[{j}]", t, topics, "topic")
        for j, ct in enumerate(g.service_trigger.customer_type_ids):
            need(f"serviceGroups[{i}].serviceTrigger.customerTypeIds[{j}]", ct, customer_types, "customer type")
    for i, ts in enumerate(bank.time_slots):
        if ts.employee_id is None and ts.room_id is None:
            problems.append({"field": f"timeSlots[{i}]", "message": "needs an employeeId or a roomId"})
        need(f"timeSlots[{i}].employeeId", ts.employee_id, employees, "employee")
        need(f"timeSlots[{i}].roomId", ts.room_id, rooms, "room")
        if ts.end_date <= ts.start_date:
            problems.append({"field": f"timeSlots[{i}].endDate", "message": "must be after startDate"})

    problems += _cycles("topics", "parentId", bank.topics, lambda t: t.parent_id, await _parents(session, m.TopicRow, "parent_id"))
    problems += _cycles(
        "competenceGroups", "parentGroupId", bank.competence_groups, lambda g: g.parent_group_id,
        await _parents(session, m.CompetenceGroupRow, "parent_group_id"), max_depth=5,
    )
    problems += await _location_problems(session, bank)
    problems += _hours_problems(bank, await organization_settings(session))
    problems += await _uniqueness_problems(session, bank)
    problems += _template_problems(bank)
    if problems:
        raise Invalid(f"the bank definition has {len(problems)} problem(s)", problems)


async def _location_problems(session: AsyncSession, bank: BankDefinition) -> list[dict[str, str]]:
    """Rooms, employees, workdays and service levels name a branch, which must exist (in the file or
    stored), as the configuration API requires: a room at an unknown branch is never offered."""
    known = set((await session.scalars(select(m.LocationRow.location))).all()) | {x.location for x in bank.locations}
    by_lower = {name.lower(): name for name in known}
    problems = []

    def need(path: str, name: str | None) -> None:
        if name is not None and name not in known:
            guess = f" (did you mean '{by_lower[name.lower()]}'?)" if name.lower() in by_lower else ""
            problems.append({"field": path, "message": f"no location named '{name}'{guess}; add it under locations"})

    for i, r in enumerate(bank.rooms):
        need(f"rooms[{i}].location", r.location)
    for i, e in enumerate(bank.employees):
        need(f"employees[{i}].location", e.location)
    for i, s in enumerate(bank.employee_schedules):
        for j, w in enumerate(s.workdays):
            need(f"employeeSchedules[{i}].workdays[{j}].location", w.location)
    for i, g in enumerate(bank.service_groups):
        for j, name in enumerate(g.service_level.locations):
            need(f"serviceGroups[{i}].serviceLevel.locations[{j}]", name)
    return problems


def _hours_problems(bank: BankDefinition, stored: m.OrganizationSettings) -> list[dict[str, str]]:
    """Hours that close before they open (a workday's `to` may also be its default, 16:00:00)."""
    problems = []

    def check(path: str, start_key: str, end_key: str, start: int | None, end: int | None) -> None:
        if start is not None and end is not None and end <= start:
            problems.append({"field": path + end_key, "message": f"{format_time_of_day(end)} is not after "
                             f"{start_key} {format_time_of_day(start)}: the hours close before they open"})

    if (s := bank.organization_settings) is not None:  # a key left out keeps the stored value
        opening = s.opening_time if "opening_time" in s.model_fields_set else stored.opening_minute
        closing = s.closing_time if "closing_time" in s.model_fields_set else stored.closing_minute
        check("organizationSettings.", "openingTime", "closingTime", opening, closing)
    for i, schedule in enumerate(bank.employee_schedules):
        for j, w in enumerate(schedule.workdays):
            check(f"employeeSchedules[{i}].workdays[{j}].", "from", "to", w.from_, w.to)
    return problems


async def _uniqueness_problems(session: AsyncSession, bank: BankDefinition) -> list[dict[str, str]]:
    """Two objects with one id (or two schedules for one employee) would silently become one; two
    locations with one name or topics with one uniqueTopicId break a unique column."""
    problems = []

    def unique(kind: str, field: str, items: list, key: Callable, stored: dict | None = None) -> None:
        file_ids = {x.id for x in items if getattr(x, "id", None)}
        first: dict = {}
        for i, x in enumerate(items):
            k = key(x)
            if k is None:
                continue
            if k in first:
                problems.append({"field": f"{kind}[{i}].{field}", "message": f"'{k}' is already used by {kind}[{first[k]}]"})
            elif stored and x.id and stored.get(k, x.id) != x.id and stored[k] not in file_ids:
                problems.append({"field": f"{kind}[{i}].{field}", "message": f"'{k}' is already used by the stored one with id '{stored[k]}'"})
            first.setdefault(k, i)

    for name, field in BankDefinition.model_fields.items():
        items = getattr(bank, name)
        if isinstance(items, list) and items and hasattr(items[0], "id"):
            unique(field.alias, "id", items, lambda x: x.id)
    unique("employeeSchedules", "employeeId", bank.employee_schedules, lambda s: s.employee_id)
    stored_locations = dict((await session.execute(select(m.LocationRow.location, m.LocationRow.id))).all())
    unique("locations", "location", bank.locations, lambda x: x.location, stored_locations)
    stored_topics = dict((await session.execute(select(m.TopicRow.unique_topic_id, m.TopicRow.id))).all())
    unique("topics", "uniqueTopicId", bank.topics, lambda t: t.unique_topic_id or t.name, stored_topics)
    return problems


def _template_problems(bank: BankDefinition) -> list[dict[str, str]]:
    """A template that does not render is refused here as it is through the API, with its place in the file."""
    problems = []
    first: dict[tuple[str, str], int] = {}
    for i, t in enumerate(bank.message_templates):
        key = (t.kind, t.language)
        if key in first:
            problems.append({"field": f"messageTemplates[{i}]", "message": f"{t.kind} in {t.language} is already "
                             f"given by messageTemplates[{first[key]}]"})
            continue
        first[key] = i
        try:
            messages.check_template(t.kind, t.subject, t.body)
        except messages.TemplateError as error:
            problems.append(refusal(error, f"messageTemplates[{i}]."))
    return problems


async def _parents(session: AsyncSession, table: type, column: str) -> dict[str, str | None]:
    rows = (await session.execute(select(table.id, getattr(table, column)))).all()
    return {ident: parent for ident, parent in rows}


def _cycles(key: str, field: str, items: list, parent_of: Callable, existing: dict, max_depth: int | None = None) -> list:
    parents = dict(existing)
    parents.update({x.id: parent_of(x) for x in items if x.id})
    problems = []
    for i, x in enumerate(items):
        seen, node, depth = set(), x.id, 0
        while node is not None and node not in seen:
            seen.add(node)
            node = parents.get(node)
            depth += 1
        if node is not None:
            problems.append({"field": f"{key}[{i}].{field}", "message": "forms a cycle"})
        elif max_depth is not None and depth > max_depth:
            problems.append({"field": f"{key}[{i}].{field}", "message": f"nests deeper than {max_depth} levels"})
    return problems


async def export_bank(session: AsyncSession) -> dict[str, Any]:
    """The current bank as a definition file that `import_bank` reads back to the same bank."""

    async def all_of(table: type, out: Callable, order) -> list[dict]:
        rows = (await session.scalars(select(table).order_by(order))).all()
        return [out(r).model_dump(by_alias=True, mode="json", exclude_none=True) for r in rows]

    settings = await organization_settings(session)
    rules = (await session.scalars(select(m.PriorityRuleRow).order_by(m.PriorityRuleRow.position))).all()
    # Time a calendar sync brought belongs to the advisor's calendar, not to the bank's file.
    own_time = select(CalendarEntryRow).where(CalendarEntryRow.source.is_(None)).order_by(CalendarEntryRow.start_s)
    calendar = (await session.scalars(own_time)).all()
    templates = (await session.scalars(select(m.MessageTemplateRow))).all()
    order = {(kind, language): i for i, (kind, language) in enumerate(
        (k, lang) for k in messages.KINDS for lang in messages.LANGUAGES)}
    return {
        "organizationSettings": convert.settings_out(settings).model_dump(by_alias=True, mode="json", exclude_none=True),
        "locations": await all_of(m.LocationRow, convert.location_out, m.LocationRow.location),
        "rooms": await all_of(m.RoomRow, convert.room_out, m.RoomRow.name),
        "customerTypes": await all_of(m.CustomerTypeRow, convert.customer_type_out, m.CustomerTypeRow.name),
        "topics": await all_of(m.TopicRow, convert.topic_out, m.TopicRow.unique_topic_id),
        "employees": await all_of(m.EmployeeRow, convert.employee_out, m.EmployeeRow.email),
        "employeeSchedules": await all_of(m.EmployeeScheduleRow, convert.schedule_out, m.EmployeeScheduleRow.employee_id),
        "competenceGroups": await all_of(m.CompetenceGroupRow, convert.competence_group_out, m.CompetenceGroupRow.name),
        "serviceGroups": await all_of(m.ServiceGroupRow, convert.service_group_out, m.ServiceGroupRow.name),
        # No rules stored means the default order; leaving the key out keeps it that way on import.
        **({"priorityRules": [{"type": r.type, **({"label": r.label} if r.label else {})} for r in rules]} if rules else {}),
        "timeSlots": [
            {
                "id": r.id,
                **({"employeeId": r.employee_id} if r.employee_id else {}),
                **({"roomId": r.room_id} if r.room_id else {}),
                "startDate": format_instant(r.start_s),
                "endDate": format_instant(r.end_s),
                "status": r.status,
            }
            for r in calendar
        ],
        # Only the bank's own wording; the shipped defaults are not the bank's to carry.
        "messageTemplates": [
            {"kind": t.kind, "language": t.language, "subject": t.subject, "body": t.body}
            for t in sorted(templates, key=lambda t: order.get((t.kind, t.language), len(order)))
        ],
    }
