"""The time side of availability: window, grid, weekly schedule, durations, daylight saving.

Monday 2026-03-02 is the reference week. Europe/Copenhagen switches to summer time on Sunday
2026-03-29 (02:00 -> 03:00) and back on Sunday 2026-10-25 (03:00 -> 02:00).
"""

from __future__ import annotations

import datetime as dt

import pytest

from meetbook.availability import (
    OFFSITE,
    ONLINE,
    PHYSICAL,
    TELEPHONE,
    Advisor,
    Occupancy,
    Slot,
    Topic,
    compute_slots,
)

HOUR = 3600
MIN = 60
ONLINE_ONLY = frozenset({ONLINE})


# -- the 30-minute grid and the working day -----------------------------------------------------


@pytest.mark.parametrize(
    "work_from, work_to, duration_min, expected",
    [
        ("09:07", "12:00", 60, ["09:30", "10:00", "10:30", "11:00"]),  # first slot on the grid
        ("09:00", "11:00", 60, ["09:00", "09:30", "10:00"]),  # the whole meeting must fit
        ("09:00", "10:59", 60, ["09:00", "09:30"]),
        ("09:31", "10:30", 30, ["10:00"]),
        ("09:00", "11:00", 45, ["09:00", "09:30", "10:00"]),  # 10:30-11:15 would overrun
        ("09:00", "10:00", 90, []),  # longer than the working day
        ("09:00", "09:20", 15, ["09:00"]),
        ("09:00", "10:00", 50, ["09:00"]),  # a duration that is not a multiple of 15
        ("00:00", "24:00", 30, [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]),
    ],
)
def test_slot_starts_are_on_the_local_grid_and_fit_the_working_day(
    kit, work_from, work_to, duration_min, expected
):
    bank = kit.bank(kit.advisor(start=work_from, end=work_to))
    search = kit.search(
        "2026-03-02 00:00",
        "2026-03-03 00:00",
        duration_seconds=duration_min * MIN,
        meeting_types=ONLINE_ONLY,
    )
    slots = kit.slots(search, bank)
    assert kit.starts(slots) == expected
    assert all(s.end - s.start == duration_min * MIN for s in slots)


def test_weekly_schedule_differs_per_weekday(kit):
    workdays = (
        kit.day("08:00", "10:00"),  # Monday
        None,  # Tuesday: no schedule
        kit.day("08:00", "10:00", available=False),  # Wednesday: day off
        kit.day("12:00", "14:00"),  # Thursday
        kit.day("08:00", "09:00"),  # Friday
        kit.day("10:00", "11:00"),  # Saturday
        None,  # Sunday
    )
    bank = kit.bank(Advisor("anna", workdays))
    search = kit.search("2026-03-02 00:00", "2026-03-09 00:00", meeting_types=ONLINE_ONLY)
    assert kit.starts(kit.slots(search, bank)) == [
        "2026-03-02 08:00",
        "2026-03-02 08:30",
        "2026-03-02 09:00",
        "2026-03-05 12:00",
        "2026-03-05 12:30",
        "2026-03-05 13:00",
        "2026-03-06 08:00",
        "2026-03-07 10:00",
    ]


# -- the window -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "window, now, max_ahead_h, expected",
    [
        # never earlier than now: a window that started yesterday begins now
        (
            ("2026-03-01 00:00", "2026-03-03 00:00"),
            "2026-03-02 13:10",
            None,
            ["13:30", "14:00", "14:30", "15:00"],
        ),
        # a slot's start lies in the window; its end may lie after it
        (("2026-03-02 09:00", "2026-03-02 10:00"), "2026-03-01 12:00", None, ["09:00", "09:30"]),
        # never later than now + the bank's maxTimeFromBookingToMeeting
        (
            ("2026-03-02 00:00", "2026-03-03 00:00"),
            "2026-03-02 08:00",
            2,
            ["08:00", "08:30", "09:00", "09:30"],
        ),
        # the window ends before it starts once clipped: nothing
        (("2026-03-02 08:00", "2026-03-02 12:00"), "2026-03-02 12:00", None, []),
        # exactly [start, end) of one meeting: the check a reservation runs
        (("2026-03-02 10:00", "2026-03-02 11:00"), "2026-03-02 07:00", None, ["10:00", "10:30"]),
    ],
)
def test_window_is_clipped_to_now_and_to_the_booking_horizon(
    kit, window, now, max_ahead_h, expected
):
    bank = kit.bank(
        kit.advisor(), max_ahead_seconds=None if max_ahead_h is None else max_ahead_h * HOUR
    )
    search = kit.search(*window, meeting_types=ONLINE_ONLY)
    assert kit.starts(kit.slots(search, bank, now=now)) == expected


@pytest.mark.parametrize(
    "search_duration, topic_duration, bank_default, expected",
    [
        (30 * MIN, 90 * MIN, 2 * HOUR, 30 * MIN),
        (None, 90 * MIN, 2 * HOUR, 90 * MIN),
        (None, None, 2 * HOUR, 2 * HOUR),
        (None, None, None, HOUR),  # the bank's default default
    ],
)
def test_duration_comes_from_search_then_topic_then_bank(
    kit, search_duration, topic_duration, bank_default, expected
):
    extra = {} if bank_default is None else {"default_duration_seconds": bank_default}
    bank = kit.bank(
        kit.advisor(), topics={"loans": Topic("loans", duration_seconds=topic_duration)}, **extra
    )
    search = kit.search(
        "2026-03-02 00:00",
        "2026-03-03 00:00",
        topic_id="loans",
        duration_seconds=search_duration,
        meeting_types=ONLINE_ONLY,
    )
    slots = kit.slots(search, bank)
    assert slots and {s.end - s.start for s in slots} == {expected}
    assert {s.topic_id for s in slots} == {"loans"}


def test_output_is_sorted_by_start_then_type_then_employee(kit):
    bank = kit.bank(kit.advisor("bo"), kit.advisor("anna"), kit.advisor("carl", start="09:00"))
    search = kit.search("2026-03-02 08:00", "2026-03-02 10:00")
    slots = kit.slots(search, bank)
    keys = [(s.start, s.meeting_type, s.employee_id) for s in slots]
    assert keys == sorted(keys)
    assert [(kit.hm(s.start), s.meeting_type, s.employee_id) for s in slots[:6]] == [
        ("08:00", ONLINE, "anna"),
        ("08:00", ONLINE, "bo"),
        ("08:00", PHYSICAL, "anna"),
        ("08:00", PHYSICAL, "bo"),
        ("08:00", TELEPHONE, "anna"),
        ("08:00", TELEPHONE, "bo"),
    ]
    assert all(isinstance(s, Slot) and s.room_id is None for s in slots)


def test_ninety_day_window(kit):
    bank = kit.bank(kit.advisor())
    search = kit.search("2026-03-02 00:00", "2026-05-31 00:00", meeting_types=ONLINE_ONLY)
    slots = kit.slots(search, bank)
    day = dt.date(2026, 3, 2)
    weekdays = sum(1 for k in range(90) if (day + dt.timedelta(days=k)).weekday() < 5)
    assert len(slots) == weekdays * 15  # 08:00 .. 15:00, every day, across the DST change
    assert {kit.hm(s.start) for s in slots} == {
        f"{h:02d}:{m:02d}" for h in range(8, 16) for m in (0, 30) if (h, m) != (15, 30)
    }


# -- daylight saving time -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "local_day, utc_of_0800",
    [
        ("2026-03-28", "2026-03-28T07:00Z"),  # winter, the day before the change
        ("2026-03-29", "2026-03-29T06:00Z"),  # the change day: 08:00 is already summer time
        ("2026-10-24", "2026-10-24T06:00Z"),  # summer, the day before going back
        ("2026-10-25", "2026-10-25T07:00Z"),  # the change day: 08:00 is winter time again
    ],
)
def test_working_hours_follow_the_local_clock_across_dst(kit, local_day, utc_of_0800):
    bank = kit.bank(kit.advisor(days="MTWTFSS", start="08:00", end="09:00"))
    search = kit.search(f"{local_day} 00:00", f"{local_day} 23:00", meeting_types=ONLINE_ONLY)
    slots = kit.slots(search, bank)
    assert [kit.utc(s.start) for s in slots] == [utc_of_0800]
    assert [kit.hm(s.start) for s in slots] == ["08:00"]


def _whole_day(kit, day: str, duration_min: int) -> list[Slot]:
    bank = kit.bank(kit.advisor(days="MTWTFSS", start="00:00", end="24:00"))
    search = kit.search(
        f"{day} 00:00",
        "2026-12-31 00:00",
        duration_seconds=duration_min * MIN,
        meeting_types=ONLINE_ONLY,
    )
    day_start = kit.t(f"{day} 00:00")
    next_day = dt.date.fromisoformat(day) + dt.timedelta(days=1)
    day_end = kit.t(f"{next_day} 00:00")
    return [s for s in kit.slots(search, bank) if day_start <= s.start < day_end]


def test_spring_forward_has_no_slot_in_the_missing_hour(kit):
    slots = _whole_day(kit, "2026-03-29", 30)
    local = [kit.hm(s.start) for s in slots]
    assert len(slots) == 46  # a 23-hour day
    assert "02:00" not in local and "02:30" not in local
    assert local[:6] == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"]
    assert len({s.start for s in slots}) == len(slots)
    # 01:30 + one hour of meeting ends at 03:30 local: a real hour, offered
    hour = _whole_day(kit, "2026-03-29", 60)
    assert [kit.hm(s.start) for s in hour][:4] == ["00:00", "00:30", "01:00", "01:30"]
    assert all(s.end - s.start == HOUR for s in hour)


def test_fall_back_offers_each_instant_once(kit):
    slots = _whole_day(kit, "2026-10-25", 30)
    assert len(slots) == 50  # a 25-hour day
    starts = [s.start for s in slots]
    assert starts == sorted(set(starts))  # strictly increasing: no instant twice
    local = [kit.hm(s.start) for s in slots]
    assert local.count("02:00") == 2 and local.count("02:30") == 2  # two different instants
    assert local.count("01:30") == 1 and local.count("03:00") == 1
    assert [kit.utc(s) for s in starts[4:8]] == [
        "2026-10-25T00:00Z",  # 02:00 summer time
        "2026-10-25T00:30Z",
        "2026-10-25T01:00Z",  # 02:00 winter time
        "2026-10-25T01:30Z",
    ]


@pytest.mark.parametrize(
    "work_from, work_to, expected_utc",
    [
        ("02:00", "03:00", []),  # the whole shift is in the missing hour
        ("02:30", "04:00", ["2026-03-29T01:00Z", "2026-03-29T01:30Z"]),  # 03:00, 03:30 local
        (
            "01:00",
            "04:00",
            ["2026-03-29T00:00Z", "2026-03-29T00:30Z", "2026-03-29T01:00Z", "2026-03-29T01:30Z"],
        ),
    ],
)
def test_shifts_touching_the_missing_hour(kit, work_from, work_to, expected_utc):
    bank = kit.bank(kit.advisor(days="MTWTFSS", start=work_from, end=work_to))
    search = kit.search(
        "2026-03-29 00:00", "2026-03-30 00:00", duration_seconds=30 * MIN, meeting_types=ONLINE_ONLY
    )
    assert [kit.utc(s.start) for s in kit.slots(search, bank)] == expected_utc


@pytest.mark.parametrize(
    "zone, first_utc",
    [
        ("Asia/Kolkata", "2026-03-02T03:30Z"),  # +05:30: 09:00 local
        ("Asia/Kathmandu", "2026-03-02T03:15Z"),  # +05:45
        ("America/St_Johns", "2026-03-02T12:30Z"),  # -03:30
        ("UTC", "2026-03-02T09:00Z"),
    ],
)
def test_grid_is_local_in_zones_with_odd_offsets(kit_in, zone, first_utc):
    kit = kit_in(zone)
    bank = kit.bank(kit.advisor(start="09:00", end="11:00"))
    search = kit.search("2026-03-02 00:00", "2026-03-03 00:00", meeting_types=ONLINE_ONLY)
    slots = kit.slots(search, bank)
    assert [kit.hm(s.start) for s in slots] == ["09:00", "09:30", "10:00"]
    assert kit.utc(slots[0].start) == first_utc
    assert [b.start - a.start for a, b in zip(slots, slots[1:])] == [1800, 1800]


def test_meeting_types_offered_are_sorted_by_name(kit):
    bank = kit.bank(kit.advisor(types=frozenset({PHYSICAL, ONLINE, TELEPHONE, OFFSITE})))
    search = kit.search("2026-03-02 08:00", "2026-03-02 08:30")
    types = [s.meeting_type for s in kit.slots(search, bank)]
    assert types == [OFFSITE, ONLINE, PHYSICAL, TELEPHONE]


def test_engine_accepts_plain_values_and_is_deterministic(kit):
    bank = kit.bank(kit.advisor("bo"), kit.advisor("anna"))
    search = kit.search("2026-03-02 00:00", "2026-03-07 00:00", customer_initiated=True)
    now = kit.t("2026-03-01 12:00")
    first = compute_slots(search, bank, Occupancy(), now)
    assert first == compute_slots(search, bank, Occupancy(), now)
    assert first


# -- meetings past midnight -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "monday, tuesday, expected",
    [
        # Monday evening runs on into Tuesday's night shift: a 23:30 meeting ends at 00:30
        (("18:00", "24:00", {PHYSICAL, ONLINE}), ("00:00", "02:00", {PHYSICAL, ONLINE}),
         {"22:30": {PHYSICAL, ONLINE}, "23:00": {PHYSICAL, ONLINE}, "23:30": {PHYSICAL, ONLINE}}),
        # only the types both days offer
        (("18:00", "24:00", {PHYSICAL, ONLINE}), ("00:00", "02:00", {ONLINE}),
         {"22:30": {PHYSICAL, ONLINE}, "23:00": {PHYSICAL, ONLINE}, "23:30": {ONLINE}}),
        # a gap at midnight: nothing runs across it
        (("18:00", "23:45", {PHYSICAL, ONLINE}), ("00:00", "02:00", {PHYSICAL, ONLINE}),
         {"22:30": {PHYSICAL, ONLINE}}),
    ],
)
def test_a_meeting_may_run_past_midnight_into_the_next_days_schedule(
    kit, monday, tuesday, expected
):
    mon = kit.day(monday[0], monday[1], types=frozenset(monday[2]))
    tue = kit.day(tuesday[0], tuesday[1], types=frozenset(tuesday[2]))
    bank = kit.bank(Advisor("anna", (mon, tue, None, None, None, None, None)))
    search = kit.search("2026-03-02 22:00", "2026-03-03 00:00", meeting_types=None)
    got: dict[str, set[str]] = {}
    for s in kit.slots(search, bank):
        if kit.hm(s.start) >= "22:30":
            got.setdefault(kit.hm(s.start), set()).add(s.meeting_type)
    assert got == expected


def test_rows_are_the_slots_as_tuples(kit):
    from meetbook.availability import compute_slot_rows

    bank = kit.bank(kit.advisor("bo"), kit.advisor("anna"))
    search = kit.search("2026-03-02 00:00", "2026-03-04 00:00", topic_id=None)
    now = kit.t("2026-03-01 12:00")
    slots = compute_slots(search, bank, Occupancy(), now)
    rows = compute_slot_rows(search, bank, Occupancy(), now)
    assert rows == [
        (s.start, s.end, s.meeting_type, s.employee_id, s.room_id, s.topic_id) for s in slots
    ]
