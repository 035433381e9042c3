"""Unit-test helpers for the availability engine, written from the bank's point of view.

Times in tests are local wall-clock strings in the bank's zone ("2026-03-02 09:30"); the kit
turns them into epoch seconds and back, so a table reads like a bank's calendar.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"

if importlib.util.find_spec("meetbook") is None:
    sys.path.insert(0, str(SRC))

from zoneinfo import ZoneInfo  # noqa: E402

from meetbook.availability import (  # noqa: E402
    ONLINE,
    PHYSICAL,
    TELEPHONE,
    Advisor,
    Bank,
    BankSettings,
    Claim,
    Occupancy,
    Slot,
    SlotSearch,
    Workday,
    compute_slots,
)

THREE_TYPES = frozenset({PHYSICAL, ONLINE, TELEPHONE})
HOUR = 3600
MIN = 60


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


class Kit:
    """Builders and readers for one bank time zone."""

    def __init__(self, zone: str = "Europe/Copenhagen") -> None:
        self.zone = zone
        self.tz = ZoneInfo(zone)

    # instants ---------------------------------------------------------------------------------

    def t(self, text: str, fold: int = 0) -> int:
        """'2026-03-02 09:30' local wall time -> epoch seconds."""
        naive = dt.datetime.strptime(text, "%Y-%m-%d %H:%M")
        return int(naive.replace(tzinfo=self.tz, fold=fold).timestamp())

    def show(self, epoch: int) -> str:
        return dt.datetime.fromtimestamp(epoch, self.tz).strftime("%Y-%m-%d %H:%M")

    def hm(self, epoch: int) -> str:
        return dt.datetime.fromtimestamp(epoch, self.tz).strftime("%H:%M")

    @staticmethod
    def utc(epoch: int) -> str:
        return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")

    # configuration ----------------------------------------------------------------------------

    @staticmethod
    def day(
        start: str = "08:00",
        end: str = "16:00",
        location: str | None = "Copenhagen",
        types: frozenset[str] = THREE_TYPES,
        available: bool = True,
    ) -> Workday:
        return Workday(available, minutes(start), minutes(end), location, frozenset(types))

    def week(self, days: str = "MTWTF..", **kw) -> tuple[Workday | None, ...]:
        """A weekly schedule; `days` marks Monday..Sunday, '.' for no schedule."""
        wd = self.day(**kw)
        return tuple(wd if c != "." else None for c in days)

    def advisor(self, aid: str = "anna", days: str = "MTWTF..", **kw) -> Advisor:
        schedule = kw.pop("workdays", None)
        day_kw = {k: kw.pop(k) for k in ("start", "end", "location", "types") if k in kw}
        return Advisor(aid, schedule or self.week(days, **day_kw), **kw)

    def bank(self, *advisors: Advisor, **kw) -> Bank:
        settings_kw = {
            k: kw.pop(k)
            for k in list(kw)
            if k in BankSettings.__dataclass_fields__  # type: ignore[attr-defined]
        }
        settings_kw.setdefault("time_zone", self.zone)
        if "closing_days" in settings_kw:
            settings_kw["closing_days"] = frozenset(
                dt.date.fromisoformat(d) for d in settings_kw["closing_days"]
            )
        for key in ("opening_minute", "closing_minute"):
            if isinstance(settings_kw.get(key), str):
                settings_kw[key] = minutes(settings_kw[key])
        return Bank(BankSettings(**settings_kw), {a.id: a for a in advisors}, **kw)

    def claim(self, start: str, end: str, buffer: int = 0) -> Claim:
        s, e = self.t(start), self.t(end)
        return Claim(s, e + buffer, e - s)

    def search(self, start: str, end: str, **kw) -> SlotSearch:
        kw.setdefault("customer_initiated", False)
        return SlotSearch(window_start=self.t(start), window_end=self.t(end), **kw)

    # running ----------------------------------------------------------------------------------

    def slots(
        self,
        search: SlotSearch,
        bank: Bank,
        occupancy: Occupancy | None = None,
        now: str | int = "2026-01-01 00:00",
    ) -> list[Slot]:
        now_epoch = self.t(now) if isinstance(now, str) else now
        return compute_slots(search, bank, occupancy or Occupancy(), now_epoch)

    def starts(self, slots: list[Slot], mtype: str | None = None, who: str | None = None):
        """Local start times ('HH:MM' within one day, else 'YYYY-MM-DD HH:MM'), deduplicated."""
        chosen = [
            s
            for s in slots
            if (mtype is None or s.meeting_type == mtype) and (who is None or s.employee_id == who)
        ]
        days = {self.show(s.start)[:10] for s in chosen}
        fmt = self.hm if len(days) <= 1 else self.show
        out: list[str] = []
        for s in chosen:
            text = fmt(s.start)
            if not out or out[-1] != text:
                out.append(text)
        return out


@pytest.fixture
def kit() -> Kit:
    return Kit()


@pytest.fixture
def kit_in():
    return Kit
