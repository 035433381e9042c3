"""The meeting a search asks for: its length and the meeting types it can be.

Meeting types offered are requested ∩ the topic's allowed types ∩ the advisor's types that day:
the first two here, the last per weekday in each advisor's open time (`open_time.py`). A topic
limited to some customer types offers nothing to the others.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from .model import MEETING_TYPES, REMOTE_TYPES, Advisor, Bank, SlotSearch
from .schedule import week_of


def resolve_duration(search: SlotSearch, bank: Bank) -> int:
    """The search's meeting length, else the topic's, else the bank's default."""
    if search.duration_seconds is not None:
        return search.duration_seconds
    topic = bank.topics.get(search.topic_id) if search.topic_id is not None else None
    if topic is not None and topic.duration_seconds is not None:
        return topic.duration_seconds
    return bank.settings.default_duration_seconds


def searched_types(search: SlotSearch, bank: Bank) -> tuple[str, ...]:
    """Requested ∩ the topic's types, in name order; none when the topic does not serve the
    search's customer type."""
    topic = bank.topics.get(search.topic_id) if search.topic_id is not None else None
    if (
        topic is not None
        and topic.customer_type_ids
        and search.customer_type_id is not None
        and search.customer_type_id not in topic.customer_type_ids
    ):
        return ()
    return tuple(
        sorted(
            t
            for t in MEETING_TYPES
            if (not search.meeting_types or t in search.meeting_types)
            and (topic is None or not topic.meeting_types or t in topic.meeting_types)
        )
    )


def offerable_types(
    types: tuple[str, ...], advisors: Iterable[Advisor], with_calendar: Collection[str]
) -> tuple[str, ...]:
    """The searched types some of these advisors could offer at all: a type of their weekly
    schedule, or a remote type for those with calendar entries (ExtraOpen time). Fewer types,
    fewer matrices later."""
    possible: set[str] = set()
    wanted = set(types)
    for adv in advisors:
        possible |= week_of(adv.workdays).any_types
        if adv.id in with_calendar:
            possible |= REMOTE_TYPES
        if possible >= wanted:
            break
    return tuple(t for t in types if t in possible)
