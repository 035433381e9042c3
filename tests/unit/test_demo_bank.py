"""The demo bank is a valid, self-consistent bank definition document, the same on every call."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from meetbook.bankfile.service import parse
from meetbook.demo import demo_bank, easter_sunday


@pytest.fixture(scope="module")
def doc() -> dict:
    return demo_bank()


@pytest.fixture(scope="module")
def bank(doc):
    return parse(doc)


def test_parse_accepts_it_and_it_is_plain_json(doc, bank):
    assert json.loads(json.dumps(doc)) == doc
    assert bank.organization_settings is not None
    assert bank.organization_settings.time_zone == "Europe/Copenhagen"
    assert [r.type for r in bank.priority_rules] == ["Explicit", "ServiceGroup", "Local", "ServiceGroup"]


def test_deterministic():
    assert demo_bank() == demo_bank()


def test_shape(bank):
    assert len(bank.locations) >= 3
    assert any(loc.require_available_room for loc in bank.locations)
    assert len(bank.employees) >= 20
    assert len(bank.customer_types) == 4
    assert any(t.parent_id for t in bank.topics)
    assert any(not t.is_customer_visible for t in bank.topics)
    assert any(g.parent_group_id for g in bank.competence_groups)
    assert len(bank.service_groups) == 2
    scheduled = [s.employee_id for s in bank.employee_schedules]
    assert sorted(scheduled) == sorted(e.id for e in bank.employees)
    assert any(not s.can_be_booked for s in bank.employee_schedules)
    assert any(s.is_only_explicitly_available for s in bank.employee_schedules)


def test_rooms_at_every_branch(bank):
    branches = {loc.location for loc in bank.locations}
    assert {r.location for r in bank.rooms} == branches
    assert any(not r.can_be_booked for r in bank.rooms)


def test_ids_unique(bank):
    ids = [
        x.id
        for items in (bank.locations, bank.rooms, bank.customer_types, bank.topics, bank.employees,
                      bank.competence_groups, bank.service_groups)
        for x in items
    ]
    assert all(ids)
    assert len(ids) == len(set(ids))
    assert len({e.email.lower() for e in bank.employees}) == len(bank.employees)


def test_every_reference_exists(bank):
    customer_types = {c.id for c in bank.customer_types}
    topics = {t.id for t in bank.topics}
    employees = {e.id for e in bank.employees}
    groups = {g.id for g in bank.competence_groups}
    branches = {loc.location for loc in bank.locations}

    for t in bank.topics:
        assert t.parent_id is None or t.parent_id in topics
        assert set(t.customer_type_ids) <= customer_types
    for e in bank.employees:
        assert e.location in branches
        assert set(e.skills.topic_ids) <= topics
        assert set(e.skills.customer_type_ids) <= customer_types
    for s in bank.employee_schedules:
        assert s.employee_id in employees
        assert {w.location for w in s.workdays} <= branches
    for g in bank.competence_groups:
        assert g.parent_group_id is None or g.parent_group_id in groups
        assert set(g.employee_ids) <= employees
        assert set(g.topic_ids) <= topics
        assert set(g.customer_type_ids) <= customer_types
    for g in bank.service_groups:
        assert set(g.employee_ids) <= employees
        assert set(g.competence_group_ids) <= groups
        assert set(g.service_trigger.topic_ids) <= topics
        assert set(g.service_trigger.customer_type_ids) <= customer_types
        assert set(g.service_level.locations) <= branches


def test_schedules_fit_opening_hours(bank):
    settings = bank.organization_settings
    for s in bank.employee_schedules:
        assert s.workdays
        for w in s.workdays:
            assert settings.opening_time <= w.from_ < w.to <= settings.closing_time
            assert w.available_meeting_types


def test_closing_days_are_danish_bank_holidays(bank):
    days = set(bank.organization_settings.closing_days)
    assert easter_sunday(2026) == dt.date(2026, 4, 5)
    assert easter_sunday(2027) == dt.date(2027, 3, 28)
    for expected in ("2026-04-02", "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25", "2026-06-05",
                     "2026-12-24", "2026-12-25", "2026-12-26", "2026-12-31", "2027-01-01",
                     "2027-03-25", "2027-03-29", "2027-05-06", "2027-05-17", "2027-06-05", "2027-12-24"):
        assert dt.date.fromisoformat(expected) in days
