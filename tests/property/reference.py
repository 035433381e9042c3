"""A deliberately slow, obviously-correct availability reference.

It shares nothing with the engine but the model types. It walks the window minute by minute:
each minute is converted to local time with zoneinfo; a minute whose local wall clock reads
hh:00:00 or hh:30:00 is a candidate start; then every minute of the meeting is checked directly
against the rules (schedule of that minute's local day, opening hours, closing days, calendar
entries), and the whole meeting against claims, the notice, the daily cap and rooms.

It assumes every instant in the data (now, window, claims, calendar, durations, buffers, notice)
is a whole minute, which the property tests guarantee.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from meetbook.availability.model import (
    BUSY,
    EXPLICIT,
    EXTRA_OPEN,
    LOCAL,
    MEETING_TYPES,
    ONLINE,
    PHYSICAL,
    SERVICE_GROUP,
    TELEPHONE,
    WORKING_FROM_ELSEWHERE,
    Advisor,
    Bank,
    Occupancy,
    Slot,
    SlotSearch,
)

MINUTE = 60


class Reference:
    def __init__(self, search: SlotSearch, bank: Bank, occupancy: Occupancy, now: int) -> None:
        self.search, self.bank, self.occ, self.now = search, bank, occupancy, now
        self.settings = bank.settings
        self.tz = ZoneInfo(self.settings.time_zone)
        self._local: dict[int, tuple[dt.date, int, int]] = {}
        self._notice: dict[str, float] = {}

    # -- local time ------------------------------------------------------------------------

    def local(self, t: int) -> tuple[dt.date, int, int]:
        """(local date, minute of the day, second) of instant t."""
        if t not in self._local:
            x = dt.datetime.fromtimestamp(t, self.tz)
            self._local[t] = (x.date(), x.hour * 60 + x.minute, x.second)
        return self._local[t]

    def workday(self, adv: Advisor, date: dt.date):
        return adv.workdays[date.weekday()]

    def is_scheduled(self, adv: Advisor, t: int) -> bool:
        """Weekly schedule says the advisor works at instant t (closing days excluded)."""
        date, minute, _ = self.local(t)
        if date in self.settings.closing_days:
            return False
        wd = self.workday(adv, date)
        return wd is not None and wd.is_available and wd.start_minute <= minute < wd.end_minute

    # -- the rules for one minute of a meeting -----------------------------------------------

    def minute_is_free(self, adv: Advisor, mtype: str, t: int) -> bool:
        date, minute, _ = self.local(t)
        s = self.settings
        if date in s.closing_days:
            return False
        if self.search.customer_initiated and (
            s.opening_minute is not None or s.closing_minute is not None
        ):
            opening = s.opening_minute if s.opening_minute is not None else 0
            closing = s.closing_minute if s.closing_minute is not None else 1440
            if not (opening <= minute < closing):
                return False
        entries = self.occ.calendar.get(adv.id, ())
        wd = self.workday(adv, date)
        scheduled = (
            wd is not None
            and wd.is_available
            and wd.start_minute <= minute < wd.end_minute
            and mtype in wd.meeting_types
        )
        extra_open = mtype in (ONLINE, TELEPHONE) and any(
            e.status == EXTRA_OPEN and e.start <= t < e.end for e in entries
        )
        if not (scheduled or extra_open):
            return False
        if any(e.status == BUSY and e.start <= t < e.end for e in entries):
            return False
        if mtype == PHYSICAL and any(
            e.status == WORKING_FROM_ELSEWHERE and e.start <= t < e.end for e in entries
        ):
            return False
        return True

    def earliest(self, adv: Advisor) -> float:
        """Minimum notice: the instant after `notice` minutes of scheduled work since now."""
        s, search = self.settings, self.search
        notice = s.minimum_notice_seconds
        if not search.customer_initiated or search.ignore_minimum_notice or notice <= 0:
            return float("-inf")
        if adv.id in self._notice:
            return self._notice[adv.id]
        left = -(-notice // MINUTE)
        t = self.now
        last_date = self.local(self.now)[0] + dt.timedelta(days=366)
        result = float("inf")
        while True:
            date, minute, _ = self.local(t)
            if date > last_date:
                break
            wd = self.workday(adv, date)
            if date in s.closing_days or wd is None or not wd.is_available:
                # nothing to count today: hop most of the way to the next day (a DST day has
                # at least 23 hours, so a hop of 22 hours minus the time passed never skips it)
                t += MINUTE * max(1, 1440 - minute - 120)
                continue
            if self.is_scheduled(adv, t):
                left -= 1
                if left == 0:
                    result = t + MINUTE
                    break
            t += MINUTE
        self._notice[adv.id] = result
        return result

    def day_of(self, t: int) -> dt.date:
        return self.local(t)[0]

    def booked_on(self, adv: Advisor, date: dt.date) -> int:
        return sum(
            c.meeting_seconds
            for c in self.occ.advisor_claims.get(adv.id, ())
            if self.day_of(c.start) == date
        )

    def groups_of(self, aid: str) -> list:
        """Service groups the advisor belongs to, directly or via competence groups."""
        return [sg for sg in self.bank.service_groups.values() if aid in self.sg_members(sg)]

    def cap(self, adv: Advisor):
        if adv.max_seconds_per_day is not None:
            return adv.max_seconds_per_day
        caps = [
            g.max_seconds_per_day
            for g in self.groups_of(adv.id)
            if g.max_seconds_per_day is not None
        ]
        if caps:
            return max(caps)
        return self.settings.max_seconds_per_day

    def advisor_free(self, adv: Advisor, mtype: str, start: int, duration: int) -> bool:
        """Everything about one advisor except pools, priorities and rooms."""
        if start < self.earliest(adv):
            return False
        if self.search.customer_initiated:
            cap = self.cap(adv)
            if cap is not None and self.booked_on(adv, self.day_of(start)) + duration > cap:
                return False
        own_claim_end = start + duration + self.settings.buffer_seconds
        for c in self.occ.advisor_claims.get(adv.id, ()):
            if start < c.end and c.start < own_claim_end:
                return False
        return all(
            self.minute_is_free(adv, mtype, t) for t in range(start, start + duration, MINUTE)
        )

    # -- groups, qualification, pools --------------------------------------------------------

    def topic_and_ancestors(self) -> set[str] | None:
        tid = self.search.topic_id
        if tid is None:
            return None
        out: set[str] = set()
        while tid is not None and tid not in out:
            out.add(tid)
            topic = self.bank.topics.get(tid)
            tid = topic.parent_id if topic else None
        return out

    def crit_ok(self, crit, values) -> bool:
        if not crit or values is None:
            return True
        return any(v in crit for v in values)

    def members_below(self, gid: str, depth: int = 0) -> set[str]:
        groups = self.bank.competence_groups
        if gid not in groups or depth > 5:
            return set()
        found = set(groups[gid].employee_ids)
        for cid, child in groups.items():
            if child.parent_id == gid and cid != gid:
                found |= self.members_below(cid, depth + 1)
        return found

    def inherited(self, gid: str, attr: str):
        groups = self.bank.competence_groups
        seen = []
        while gid in groups and gid not in seen:
            seen.append(gid)
            if getattr(groups[gid], attr):
                return getattr(groups[gid], attr)
            gid = groups[gid].parent_id
        return frozenset()

    def qualified(self, adv: Advisor) -> bool:
        topics = self.topic_and_ancestors()
        # No customer type: the customer could be any, so only unrestricted criteria match.
        ctype = set() if self.search.customer_type_id is None else {self.search.customer_type_id}
        groups = self.bank.competence_groups
        for gid in groups:
            if (
                self.crit_ok(self.inherited(gid, "topic_ids"), topics)
                and self.crit_ok(self.inherited(gid, "customer_type_ids"), ctype)
                and adv.id in self.members_below(gid)
            ):
                return True
        in_a_group = any(adv.id in g.employee_ids for g in groups.values())
        if not adv.skill_topic_ids and not adv.skill_customer_type_ids and in_a_group:
            return False
        return self.crit_ok(adv.skill_topic_ids, topics) and self.crit_ok(
            adv.skill_customer_type_ids, ctype
        )

    def sg_members(self, sg) -> set[str]:
        out = set(sg.employee_ids)
        for cg in sg.competence_group_ids:
            out |= self.members_below(cg)
        return out

    def sg_triggered(self, sg) -> bool:
        search = self.search
        ctype = set() if search.customer_type_id is None else {search.customer_type_id}
        loc = None if search.customer_location is None else {search.customer_location}
        return (
            self.crit_ok(sg.trigger_topic_ids, self.topic_and_ancestors())
            and self.crit_ok(sg.trigger_customer_type_ids, ctype)
            and self.crit_ok(sg.trigger_customer_locations, loc)
        )

    def rule_ranks(self, kind: str, sg=None) -> list[int]:
        rules = self.settings.priority_rules
        ranks = [
            i
            for i, r in enumerate(rules)
            if r.type == kind
            and (kind != SERVICE_GROUP or r.label is None or r.label in sg.labels)
        ]
        return ranks or [len(rules)]

    def route_priority(self, adv: Advisor, pools, explicit, mtype: str, date: dt.date):
        """The best priority rank with which some route offers this advisor, or None."""
        wd = self.workday(adv, date)
        location = wd.location if wd is not None else None
        ranks: list[int] = []
        if EXPLICIT in pools and adv.id in explicit:
            ranks += self.rule_ranks(EXPLICIT)
        if adv.only_explicit:
            return min(ranks) if ranks else None
        if LOCAL in pools and self.qualified(adv):
            wanted = self.search.meeting_location or self.search.customer_location
            if wanted is None or location == wanted:
                ranks += self.rule_ranks(LOCAL)
        if SERVICE_GROUP in pools:
            for sg in self.bank.service_groups.values():
                if not self.sg_triggered(sg) or adv.id not in self.sg_members(sg):
                    continue
                if mtype not in sg.level_meeting_types:
                    continue
                if mtype == PHYSICAL and location not in sg.level_locations:
                    continue
                ranks += self.rule_ranks(SERVICE_GROUP, sg)
        return min(ranks) if ranks else None

    # -- rooms ---------------------------------------------------------------------------------

    def room(self, adv: Advisor, start: int, duration: int):
        """(needed, room id or None) for a Physical meeting of this advisor at start."""
        search = self.search
        wd = self.workday(adv, self.day_of(start))
        location = wd.location if wd is not None else None
        if search.require_room is False:
            return False, None
        needed = (
            search.require_room is True
            or bool(search.specific_room_ids)
            or (
                location in self.bank.locations
                and self.bank.locations[location].require_available_room
            )
        )
        if not needed:
            return False, None
        end = start + duration + self.settings.buffer_seconds
        rooms = sorted(self.bank.rooms.values(), key=lambda r: (r.name, r.id))
        for r in rooms:
            if not r.can_be_booked or r.location != location:
                continue
            if search.specific_room_ids and r.id not in search.specific_room_ids:
                continue
            if any(start < c.end and c.start < end for c in self.occ.room_claims.get(r.id, ())):
                continue
            return True, r.id
        return True, None

    # -- the search ----------------------------------------------------------------------------

    def slots(self) -> list[Slot]:
        search, s, bank = self.search, self.settings, self.bank
        start = max(search.window_start, self.now)
        end = search.window_end
        if s.max_ahead_seconds is not None:
            end = min(end, self.now + s.max_ahead_seconds)
        topic = bank.topics.get(search.topic_id) if search.topic_id is not None else None
        if search.duration_seconds is not None:
            duration = search.duration_seconds
        elif topic is not None and topic.duration_seconds is not None:
            duration = topic.duration_seconds
        else:
            duration = s.default_duration_seconds
        if duration <= 0:
            return []
        if (
            topic is not None
            and topic.customer_type_ids
            and search.customer_type_id is not None
            and search.customer_type_id not in topic.customer_type_ids
        ):
            return []
        types = [
            t
            for t in MEETING_TYPES
            if (not search.meeting_types or t in search.meeting_types)
            and (topic is None or not topic.meeting_types or t in topic.meeting_types)
        ]
        explicit = list(dict.fromkeys(search.explicit_employee_ids))
        joint = (
            search.require_employee_participation and explicit and search.employee_types is None
        )
        best = search.best_slots if search.best_slots is not None else search.customer_initiated
        if search.employee_types is not None:
            pools = set(search.employee_types)
        else:
            pools = {EXPLICIT} if explicit else {LOCAL, SERVICE_GROUP}

        out: list[Slot] = []
        t = -(-start // MINUTE) * MINUTE
        while t < end:
            date, minute, second = self.local(t)
            if minute % 30 == 0 and second == 0:
                if joint:
                    out += self.joint_at(t, duration, types, explicit)
                else:
                    out += self.pool_at(t, duration, types, explicit, pools, best)
            t += MINUTE
        return sorted(out, key=lambda x: (x.start, x.meeting_type, x.employee_id))

    def joint_at(self, t, duration, types, explicit) -> list[Slot]:
        bank = self.bank
        people = [bank.advisors[i] for i in explicit if i in bank.advisors]
        people = [a for a in people if a.can_be_booked]
        if not people:
            return []
        out = []
        for mtype in types:
            if all(self.advisor_free(a, mtype, t, duration) for a in people):
                room = None
                if mtype == PHYSICAL:
                    needed, room = self.room(people[0], t, duration)
                    if needed and room is None:
                        continue
                out.append(
                    Slot(t, t + duration, mtype, people[0].id, room, self.search.topic_id)
                )
        return out

    def pool_at(self, t, duration, types, explicit, pools, best) -> list[Slot]:
        out = []
        date = self.day_of(t)
        for mtype in types:
            candidates = []
            for adv in self.bank.advisors.values():
                if not adv.can_be_booked:
                    continue
                rank = self.route_priority(adv, pools, set(explicit), mtype, date)
                if rank is None or not self.advisor_free(adv, mtype, t, duration):
                    continue
                room = None
                if mtype == PHYSICAL:
                    needed, room = self.room(adv, t, duration)
                    if needed and room is None:
                        continue
                slot = Slot(t, t + duration, mtype, adv.id, room, self.search.topic_id)
                fairness = hashlib.blake2b(
                    f"{date.isoformat()}|{adv.id}".encode(), digest_size=8
                ).digest()
                candidates.append(((rank, self.booked_on(adv, date), fairness, adv.id), slot))
            if best and candidates:
                out.append(min(candidates, key=lambda c: c[0])[1])
            elif not best:
                out += [slot for _, slot in candidates]
        return out


def reference_slots(search: SlotSearch, bank: Bank, occupancy: Occupancy, now: int) -> list[Slot]:
    return Reference(search, bank, occupancy, now).slots()
