"""The write rules of topics (a tree of sub-topics)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.admin import entity as e
from meetbook.core.errors import Invalid
from meetbook.tables import catalog as m
from meetbook.tables.meetings import MeetingRow


async def _check_topic(session: AsyncSession, new: c.Topic, old: c.Topic | None) -> None:
    if new.meeting_duration is not None and not 60 <= new.meeting_duration <= 86400:
        raise Invalid("meetingDuration must be between 00:01:00 and 1.00:00:00",
                      [{"field": "meetingDuration", "message": "out of range"}])
    unique_id = new.unique_topic_id or new.name
    if old is None or unique_id != (old.unique_topic_id or old.name):
        await e.ensure_unique(session, m.TopicRow, new.id, f"a topic with uniqueTopicId '{unique_id}' already exists", unique_topic_id=unique_id)
    if e.changed(old, new, "parent_id") and new.parent_id is not None:
        await e.require(session, m.TopicRow, [new.parent_id], "topic", "parentId")
        parents = await e.parents_of(session, m.TopicRow, "parent_id")
        parents[new.id] = new.parent_id
        e.check_tree(parents, new.id, "topic", "parentId")
    await e.require(session, m.CustomerTypeRow, e.added(new.customer_type_ids, old and old.customer_type_ids), "customer type", "customerTypeIds")


async def _topic_usages(session: AsyncSession, row: m.TopicRow, now: dt.datetime) -> list[e.Usage]:
    ident = row.id
    return [
        (await e.upcoming_meetings(session, MeetingRow.topic_id, ident, now), "upcoming meeting", "upcoming meetings"),
        (await e.count_rows(session, m.TopicRow, lambda t: t.parent_id == ident), "sub-topic", "sub-topics"),
        (await e.count_rows(session, m.EmployeeRow, lambda row: e.in_list(ident, row.skill_topic_ids)), "employee's skills", "employees' skills"),
        (await e.count_rows(session, m.CompetenceGroupRow, lambda g: e.in_list(ident, g.topic_ids)), "competence group", "competence groups"),
        (await e.count_rows(session, m.ServiceGroupRow, lambda g: e.in_list(ident, (g.service_trigger or {}).get("topicIds"))),
         "service group trigger", "service group triggers"),
    ]


async def _topic_cleanup(session: AsyncSession, row: m.TopicRow, now: dt.datetime) -> None:
    await e.detach_meetings(session, MeetingRow.topic_id, row.id, now)


TOPICS = e.Entity(
    kind="topic", table=m.TopicRow, schema=c.Topic, out=convert.topic_out, fields=convert.topic_fields,
    path="/bookme/meeting-topics", label=lambda r: f"topic '{r.name}'", check=_check_topic, usages=_topic_usages,
    cleanup=_topic_cleanup,
)
