"""What the bank's memo keeps across searches: its zone while searches stay near it, cohorts of a
few advisors besides the large ones. Kept values change no answer (the property tests compare
answers); these hold the bounds."""

from __future__ import annotations

from types import SimpleNamespace

from meetbook.availability import Bank, BankSettings
from meetbook.availability import memo as m
from meetbook.availability.localtime import DAY, LocalTime


def _memo() -> m.BankMemo:
    return m.BankMemo(Bank(BankSettings(time_zone="Europe/Copenhagen"), {}, {}, {}, {}, {}, {}))


def test_the_zone_is_kept_while_searches_stay_near_it_and_replaced_far_from_it():
    memo = _memo()
    now = 1_790_000_000
    first = memo.local_time(now, now + 30 * DAY)
    first.pieces(now, now + 30 * DAY)
    assert memo.local_time(now + DAY, now + 2 * DAY) is first
    far = memo.local_time(now + 5_000 * DAY, now + 5_001 * DAY)
    assert far is not first
    assert memo.local_time(now + 5_000 * DAY, now + 5_010 * DAY) is far


def test_a_kept_zone_answers_as_a_fresh_one():
    memo = _memo()
    now = 1_774_000_000  # March 2026: the spring change within the range
    kept = memo.local_time(now, now + DAY)
    kept.pieces(now + 40 * DAY, now + 50 * DAY)  # grown by an earlier search
    fresh = LocalTime("Europe/Copenhagen")
    lo, hi = now - 3 * DAY, now + 60 * DAY
    assert kept.pieces(lo, hi) == fresh.pieces(lo, hi)
    assert all(kept.day(n) == fresh.day(n) for n in range(lo // DAY, hi // DAY))
    assert [a.tolist() for a in kept.grid(lo, hi)] == [a.tolist() for a in fresh.grid(lo, hi)]


def test_small_cohorts_are_kept_besides_the_large_ones():
    memo = _memo()

    def cohort(n: int) -> SimpleNamespace:
        return SimpleNamespace(advisors=[object()] * n)

    large = [memo.cohort(("large", k), lambda: cohort(50)) for k in range(m._COHORTS_KEPT)]
    for k in range(m._SMALL_COHORTS_KEPT):
        memo.cohort(("small", k), lambda: cohort(1))
    # none of the small ones pushed a large one out
    assert all(memo.cohort(("large", k), lambda: cohort(50)) is large[k] for k in range(m._COHORTS_KEPT))
    kept = memo.cohort(("small", 1), lambda: cohort(1))
    memo.cohort(("small", "one more"), lambda: cohort(1))  # the least recently used, ("small", 0), goes
    assert memo.cohort(("small", 1), lambda: cohort(1)) is kept
    assert len(memo._small_cohorts) == m._SMALL_COHORTS_KEPT
    assert ("small", 0) not in memo._small_cohorts
