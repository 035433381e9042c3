"""Between the configuration's wire shapes and its rows, in both directions."""

from __future__ import annotations

from meetbook.catalog import schemas as c
from meetbook.catalog.localized import closing_day_names, meeting_type_names, pick
from meetbook.core.wire import FROM_CODE
from meetbook.tables import catalog as m

DAY_INDEX = {day: i for i, day in enumerate(c.DAYS)}


def customer_type_fields(x: c.CustomerType) -> dict:
    return {"name": x.name, "names": x.names or None}


def customer_type_out(row: m.CustomerTypeRow, lang: str | None = None) -> c.CustomerType:
    return c.CustomerType(id=row.id, name=row.name, names=row.names or None, localized_name=pick(row.name, row.names, lang))


def topic_fields(x: c.Topic) -> dict:
    return {
        "name": x.name,
        "names": x.names or None,
        "unique_topic_id": x.unique_topic_id or x.name,
        "parent_id": x.parent_id,
        "order": x.order,
        "is_customer_visible": x.is_customer_visible,
        "customer_type_ids": list(x.customer_type_ids),
        "meeting_duration": x.meeting_duration,
        "meeting_types": list(x.meeting_types),
    }


def topic_out(row: m.TopicRow, lang: str | None = None) -> c.Topic:
    return c.Topic(
        id=row.id,
        name=row.name,
        names=row.names or None,
        localized_name=pick(row.name, row.names, lang),
        unique_topic_id=row.unique_topic_id,
        parent_id=row.parent_id,
        order=row.order,
        is_customer_visible=row.is_customer_visible,
        customer_type_ids=row.customer_type_ids or [],
        meeting_duration=row.meeting_duration,
        meeting_types=row.meeting_types or [],
    )


def employee_fields(x: c.Employee) -> dict:
    return {
        "first_name": x.first_name,
        "last_name": x.last_name,
        "display_name": x.display_name,
        "email": x.email,
        "initials": x.initials,
        "location": x.location,
        "external_id": x.external_id,
        "skill_topic_ids": list(x.skills.topic_ids),
        "skill_customer_type_ids": list(x.skills.customer_type_ids),
    }


def employee_out(row: m.EmployeeRow) -> c.Employee:
    return c.Employee(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        display_name=row.display_name,
        email=row.email,
        initials=row.initials,
        location=row.location,
        external_id=row.external_id,
        skills=c.Skills(topic_ids=row.skill_topic_ids or [], customer_type_ids=row.skill_customer_type_ids or []),
    )


def room_fields(x: c.Room) -> dict:
    return {
        "name": x.name,
        "location": x.location,
        "email": x.email,
        "capacity": x.capacity,
        "can_be_booked": x.can_be_booked,
    }


def room_out(row: m.RoomRow) -> c.Room:
    return c.Room(
        id=row.id,
        name=row.name,
        location=row.location,
        email=row.email,
        capacity=row.capacity,
        can_be_booked=row.can_be_booked,
    )


def location_fields(x: c.Location) -> dict:
    return {
        "location": x.location,
        "display_name": x.display_name,
        "names": x.names or None,
        "address": x.address,
        "require_available_room": x.require_available_room,
        "add_rooms_to_booked_meetings": x.add_rooms_to_booked_meetings,
    }


def location_out(row: m.LocationRow, lang: str | None = None) -> c.Location:
    return c.Location(
        id=row.id,
        location=row.location,
        display_name=row.display_name,
        names=row.names or None,
        localized_display_name=pick(row.display_name or row.location, row.names, lang),
        address=row.address,
        require_available_room=row.require_available_room,
        add_rooms_to_booked_meetings=row.add_rooms_to_booked_meetings,
    )


def schedule_fields(x: c.EmployeeSchedule) -> dict:
    return {
        "can_be_booked": x.can_be_booked,
        "is_only_explicitly_available": x.is_only_explicitly_available,
        "max_meeting_time_per_day": x.max_meeting_time_per_day,
        "workdays": [
            {
                "dayOfWeek": w.day_of_week,
                "isAvailable": w.is_available,
                "from": w.from_,
                "to": w.to,
                "location": w.location,
                "availableMeetingTypes": list(w.available_meeting_types),
            }
            for w in sorted(x.workdays, key=lambda w: DAY_INDEX[w.day_of_week])
        ],
    }


def schedule_out(row: m.EmployeeScheduleRow) -> c.EmployeeSchedule:
    return c.EmployeeSchedule(
        employee_id=row.employee_id,
        can_be_booked=row.can_be_booked,
        is_only_explicitly_available=row.is_only_explicitly_available,
        max_meeting_time_per_day=row.max_meeting_time_per_day,
        workdays=[c.Workday.model_validate(w, context=FROM_CODE) for w in row.workdays or []],  # stored minutes
    )


def competence_group_fields(x: c.CompetenceGroup) -> dict:
    return {
        "name": x.name,
        "parent_group_id": x.parent_group_id,
        "employee_ids": list(x.employee_ids),
        "topic_ids": list(x.topic_ids),
        "customer_type_ids": list(x.customer_type_ids),
        "labels": list(x.labels),
    }


def competence_group_out(row: m.CompetenceGroupRow) -> c.CompetenceGroup:
    return c.CompetenceGroup(
        id=row.id,
        name=row.name,
        parent_group_id=row.parent_group_id,
        employee_ids=row.employee_ids or [],
        topic_ids=row.topic_ids or [],
        customer_type_ids=row.customer_type_ids or [],
        labels=row.labels or [],
    )


def service_group_fields(x: c.ServiceGroup) -> dict:
    return {
        "name": x.name,
        "membership_email": x.membership_email,
        "employee_ids": list(x.employee_ids),
        "competence_group_ids": list(x.competence_group_ids),
        "labels": list(x.labels),
        "max_meeting_time_per_day": x.max_meeting_time_per_day,
        "service_trigger": x.service_trigger.model_dump(by_alias=True, mode="json"),
        "service_level": x.service_level.model_dump(by_alias=True, mode="json"),
    }


def service_group_out(row: m.ServiceGroupRow) -> c.ServiceGroup:
    return c.ServiceGroup(
        id=row.id,
        name=row.name,
        membership_email=row.membership_email,
        employee_ids=row.employee_ids or [],
        competence_group_ids=row.competence_group_ids or [],
        labels=row.labels or [],
        max_meeting_time_per_day=row.max_meeting_time_per_day,
        service_trigger=c.ServiceTrigger.model_validate(row.service_trigger or {}),
        service_level=c.ServiceLevel.model_validate(row.service_level or {}),
    )


def closing_day_entries(stored: list | None) -> dict[str, str | None]:
    """The stored closing days, ISO date -> name (None: unnamed). A named day is stored as
    {"date", "name"} in the same JSON list as the plain dates, so no column had to be added."""
    out: dict[str, str | None] = {}
    for entry in stored or ():
        if isinstance(entry, dict):
            out[entry["date"]] = entry.get("name") or None
        else:
            out[entry] = None
    return out


def settings_fields(x: c.OrganizationSettings) -> dict:
    return {
        "time_zone": x.time_zone,
        "opening_minute": x.opening_time,
        "closing_minute": x.closing_time,
        "default_meeting_duration": x.default_meeting_duration,
        "buffer_between_meetings": x.buffer_between_meetings,
        "working_time_buffer": x.working_time_buffer,
        "max_time_from_booking_to_meeting": x.max_time_from_booking_to_meeting,
        "max_meeting_time_per_day": x.max_meeting_time_per_day,
        "closing_days": sorted({d.isoformat() for d in x.closing_days}),
        "ical_meeting_title": x.i_cal_meeting_title,
        "ical_meeting_description": x.i_cal_meeting_description,
        "max_holds_per_customer": x.max_holds_per_customer,
        "bank_name": x.bank_name or None,
        "default_language": x.default_language,
        "send_confirmation_to_customer": x.send_confirmation_to_customer,
        "reminder_lead_times": list(x.reminder_lead_times),
        "calendar_entry_retention": x.calendar_entry_retention,
        "meeting_text_retention": x.meeting_text_retention,
        "meeting_type_names": dict(x.meeting_type_names) if x.meeting_type_names else None,
        "closing_day_translations": {d.isoformat(): n for d, n in sorted(x.closing_day_translations.items()) if n}
        if x.closing_day_translations else None,
        "logo_url": x.logo_url or None,
    }


def settings_out(row: m.OrganizationSettings, lang: str | None = None) -> c.OrganizationSettings:
    days = closing_day_entries(row.closing_days)
    # A removed closing day's translations go with it.
    translations = {d: n for d, n in (row.closing_day_translations or {}).items() if d in days}
    return c.OrganizationSettings(
        meeting_type_names=row.meeting_type_names or None,
        closing_day_translations=translations or None,
        logo_url=row.logo_url,
        localized_meeting_type_names=meeting_type_names(row.meeting_type_names, lang) if lang else None,
        localized_closing_day_names=closing_day_names(days, translations, lang) if lang else None,
        time_zone=row.time_zone,
        opening_time=row.opening_minute,
        closing_time=row.closing_minute,
        default_meeting_duration=row.default_meeting_duration,
        buffer_between_meetings=row.buffer_between_meetings,
        working_time_buffer=row.working_time_buffer,
        max_time_from_booking_to_meeting=row.max_time_from_booking_to_meeting,
        max_meeting_time_per_day=row.max_meeting_time_per_day,
        closing_days=row.closing_days or [],
        iCalMeetingTitle=row.ical_meeting_title,
        iCalMeetingDescription=row.ical_meeting_description,
        max_holds_per_customer=row.max_holds_per_customer,
        bank_name=row.bank_name,
        default_language=row.default_language or "da-DK",
        send_confirmation_to_customer=row.send_confirmation_to_customer is not False,
        reminder_lead_times=list(row.reminder_lead_times if row.reminder_lead_times is not None else [86400]),
        calendar_entry_retention=row.calendar_entry_retention if row.calendar_entry_retention is not None else 7 * 86400,
        meeting_text_retention=row.meeting_text_retention,
    )
