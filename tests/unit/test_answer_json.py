"""The search's fast JSON encoder (`slots.service.answer_json`, fragments joined from the engine's
columns) against the plain path (a dict per slot through orjson): the same bytes for any answer."""

from __future__ import annotations

import json

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from meetbook.availability.answer import Columns, empty_columns
from meetbook.availability.cells import objects
from meetbook.core.timefmt import format_instant
import asyncio

from meetbook.core.http import JSONParts
from meetbook.slots.service import answer_json, answer_json_parts, instants_text, slots_json

FIRST, LAST = -62135596800, 253402300799  # 0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z
# Anything a JSON string may need escaping for: quotes, backslashes, controls, non-ASCII.
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
instant = st.one_of(
    st.integers(1_700_000_000, 1_900_000_000).map(lambda t: t - t % 1800),  # near now, on the grid
    st.integers(FIRST, LAST - 86400),  # any year, any second
)


@st.composite
def answers(draw) -> Columns:
    starts = np.array(sorted(set(draw(st.lists(instant, min_size=1, max_size=8)))), dtype=np.int64)
    types = tuple(draw(st.lists(st.one_of(st.sampled_from(["Physical", "Online", "Telephone", "Offsite"]), text),
                                min_size=1, max_size=4)))
    ids = objects(draw(st.lists(text, min_size=1, max_size=6)))
    rooms = (None, *draw(st.lists(text, max_size=4)))
    n = draw(st.integers(0, 40))
    ix = lambda size: np.array(draw(st.lists(st.integers(0, size - 1), min_size=n, max_size=n)), dtype=np.int64)  # noqa: E731
    return Columns(
        starts=starts, duration=draw(st.integers(0, 86400)), types=types, ids=ids, rooms=rooms,
        topic_id=draw(st.one_of(st.none(), text)),
        start_ix=ix(len(starts)), type_ix=ix(len(types)), advisor_ix=ix(len(ids)), room_ix=ix(len(rooms)),
    )


@settings(max_examples=300)
@given(answers())
def test_the_same_bytes_as_a_dict_per_slot(answer):
    plain = orjson.dumps(slots_json(answer.rows()))
    assert answer_json(answer) == plain
    assert len(json.loads(answer_json(answer))) == answer.count


@settings(max_examples=200)
@given(answers(), st.integers(1, 12))
def test_in_parts_of_any_size(answer, per_part):
    plain = orjson.dumps(slots_json(answer.rows()))
    length, parts = answer_json_parts(answer, slots_per_part=per_part)
    parts = list(parts)
    assert b"".join(parts) == plain and length == len(plain)
    assert len(parts) == max(1, -(-answer.count // per_part))


def test_parts_are_sent_with_their_length_up_front():
    sent = []

    async def send(message):
        sent.append(message)

    asyncio.run(JSONParts(7, iter([b"[1,", b"2,3]"]))({"type": "http"}, None, send))
    start, *bodies = sent
    assert start["status"] == 200
    assert dict(start["headers"]) == {b"content-length": b"7", b"content-type": b"application/json"}
    assert b"".join(m["body"] for m in bodies) == b"[1,2,3]"
    assert [m["more_body"] for m in bodies] == [True, True, False]


def test_an_empty_answer():
    assert answer_json(empty_columns()) == b"[]" == orjson.dumps(slots_json(empty_columns().rows()))


@given(st.lists(instant, max_size=20))
def test_instants_as_format_instant_writes_them(values):
    at = np.array(values, dtype=np.int64)
    assert instants_text(at) == [format_instant(t) for t in values]


def test_instants_before_the_year_1000_too():
    at = np.array([FIRST, -30610224001, -30610224000, 0, LAST], dtype=np.int64)
    assert instants_text(at) == [format_instant(t) for t in at.tolist()]
