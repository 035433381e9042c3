"""A row inserted as a Core statement (tables.audit.record_inserted) gets the same audit entry as
the same row inserted as an ORM object, private fields redacted alike."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from meetbook.core.actor import ACTOR, REQUEST_ID, Actor
from meetbook.core.pipeline import DEFERRED
from meetbook.tables import audit
from meetbook.tables.meetings import BOOKED, MeetingRow

NOW = dt.datetime(2026, 6, 1, 8, 30, tzinfo=dt.UTC)
VALUES = {
    "id": "m-1", "status": BOOKED, "booked_by": "customer", "customer_id": "customer-4711", "customer_type_id": None,
    "topic_id": "t-1", "type": "Physical", "employee_id": "e-1", "additional_employees": ["e-2"], "room_id": None,
    "location": "Copenhagen", "start": NOW, "end": NOW + dt.timedelta(hours=1), "time_slot_id": "h-1", "title": "Private",
    "description": "about my divorce", "video_link": None, "salesforce_id": None, "customer_name": "Karen",
    "customer_email": "karen@example.com", "customer_phone": None, "language": "da-DK", "sequence": 0,
    "date_created": NOW, "date_modified": NOW,
}


def test_a_core_insert_is_audited_as_the_orm_insert_of_the_same_row():
    engine = create_engine("sqlite://")
    MeetingRow.__table__.create(engine)
    with Session(engine) as session:  # the ORM's way: the session events note the new object
        session.add(MeetingRow(**VALUES))
        session.flush()
        (orm,) = [change.entry() for change in session.info[audit._CHANGES].values()]
    with Session(engine) as session:
        token, request = ACTOR.set(Actor("customer-4711", "customer")), REQUEST_ID.set("req-1")
        try:
            audit.record_inserted(session, "meetings", VALUES["id"], dict(reversed(list(VALUES.items()))))
        finally:
            ACTOR.reset(token)
            REQUEST_ID.reset(request)
        ((statement, row),) = session.info[DEFERRED]
    assert statement is audit._INSERT_PENDING
    assert {k: row[k] for k in orm} == orm
    assert list(row["after"]) == list(orm["after"])  # in column order, as the ORM's
    assert (row["actor_subject"], row["actor_scope"], row["request_id"]) == ("customer-4711", "customer", "req-1")
    assert row["after"]["customerEmail"] == row["after"]["description"] == audit.REDACTED
