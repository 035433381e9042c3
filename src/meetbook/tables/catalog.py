"""The bank's configuration: who can be booked, where, for what, and the bank's own rules."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from meetbook.core.db import Base, UTCDateTime, new_id


class OrganizationSettings(Base):
    """One row: the bank's time zone, hours and booking limits. Durations in seconds."""

    __tablename__ = "organization_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Copenhagen")
    opening_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closing_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    default_meeting_duration: Mapped[int] = mapped_column(Integer, default=3600)
    buffer_between_meetings: Mapped[int] = mapped_column(Integer, default=0)
    working_time_buffer: Mapped[int] = mapped_column(Integer, default=0)
    max_time_from_booking_to_meeting: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    max_meeting_time_per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closing_days: Mapped[list] = mapped_column(JSON, default=list)
    ical_meeting_title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    ical_meeting_description: Mapped[str | None] = mapped_column(String(4000), nullable=True)
    max_holds_per_customer: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # What the bank's messages say and to whom: its name, the language of a meeting without one,
    # whether customers get the invitation, and the reminders' lead times in seconds.
    bank_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    default_language: Mapped[str] = mapped_column(String(10), default="da-DK", server_default="da-DK")
    send_confirmation_to_customer: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reminder_lead_times: Mapped[list] = mapped_column(JSON, default=lambda: [86400], server_default="[86400]")
    # Retention in seconds (BookMe's defaults): past calendar time is deleted a week after it ends; a
    # past meeting's free text and contact details are cleared a month after it ends (null: kept).
    calendar_entry_retention: Mapped[int] = mapped_column(Integer, default=7 * 86400, server_default="604800")
    meeting_text_retention: Mapped[int | None] = mapped_column(
        BigInteger, nullable=True, default=30 * 86400, server_default="2592000"
    )
    # Names in the customer's language: {meeting type: {language: word}}, {closing day: {language: name}};
    # and the bank's logo for the booking page (a path on this server or a data: image).
    meeting_type_names: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    closing_day_translations: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    logo_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Bumped by every configuration write so caches of the bank know when to reload.
    version: Mapped[int] = mapped_column(BigInteger, default=1)


class MessageTemplateRow(Base):
    """The bank's own wording of one kind of message in one language (the shipped default otherwise)."""

    __tablename__ = "message_templates"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    language: Mapped[str] = mapped_column(String(10), primary_key=True)
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class PriorityRuleRow(Base):
    __tablename__ = "priority_rules"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)


class LocationRow(Base):
    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    location: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    names: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the display name per language
    address: Mapped[str | None] = mapped_column(String(500), nullable=True)
    require_available_room: Mapped[bool] = mapped_column(Boolean, default=False)
    add_rooms_to_booked_meetings: Mapped[bool] = mapped_column(Boolean, default=True)


class RoomRow(Base):
    __tablename__ = "rooms"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    can_be_booked: Mapped[bool] = mapped_column(Boolean, default=True)


class CustomerTypeRow(Base):
    __tablename__ = "customer_types"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the name per language


class TopicRow(Base):
    __tablename__ = "topics"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the name per language
    unique_topic_id: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("topics.id", ondelete="RESTRICT"), nullable=True
    )
    order: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_customer_visible: Mapped[bool] = mapped_column(Boolean, default=True)
    customer_type_ids: Mapped[list] = mapped_column(JSON, default=list)
    meeting_duration: Mapped[int | None] = mapped_column(Integer, nullable=True)
    meeting_types: Mapped[list] = mapped_column(JSON, default=list)


class EmployeeRow(Base):
    __tablename__ = "employees"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    first_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str] = mapped_column(String(320))
    initials: Mapped[str] = mapped_column(String(20))
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    skill_topic_ids: Mapped[list] = mapped_column(JSON, default=list)
    skill_customer_type_ids: Mapped[list] = mapped_column(JSON, default=list)


class EmployeeScheduleRow(Base):
    __tablename__ = "employee_schedules"

    employee_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True
    )
    can_be_booked: Mapped[bool] = mapped_column(Boolean, default=True)
    is_only_explicitly_available: Mapped[bool] = mapped_column(Boolean, default=False)
    max_meeting_time_per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # [{dayOfWeek, isAvailable, from (minutes), to (minutes), location, availableMeetingTypes}]
    workdays: Mapped[list] = mapped_column(JSON, default=list)


class CompetenceGroupRow(Base):
    __tablename__ = "competence_groups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    parent_group_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("competence_groups.id", ondelete="RESTRICT"), nullable=True
    )
    employee_ids: Mapped[list] = mapped_column(JSON, default=list)
    topic_ids: Mapped[list] = mapped_column(JSON, default=list)
    customer_type_ids: Mapped[list] = mapped_column(JSON, default=list)
    labels: Mapped[list] = mapped_column(JSON, default=list)


class ServiceGroupRow(Base):
    __tablename__ = "service_groups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    membership_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    employee_ids: Mapped[list] = mapped_column(JSON, default=list)
    competence_group_ids: Mapped[list] = mapped_column(JSON, default=list)
    labels: Mapped[list] = mapped_column(JSON, default=list)
    max_meeting_time_per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # {topicIds, customerTypeIds, customerLocations}
    service_trigger: Mapped[dict] = mapped_column(JSON, default=dict)
    # {meetingTypes, locations}
    service_level: Mapped[dict] = mapped_column(JSON, default=dict)
