"""Marking ranges in place against plain Python: `paint` and `clear` (short ranges cell by cell,
long ones by slices or by a running sum), and the rooms' in-place restriction against its
per-advisor definition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetbook.availability import cells
from meetbook.availability.cells import clear, paint
from meetbook.availability.rooms import FreeRooms

HEIGHT, OWNERS = 70, 5  # taller than cells._SHORT: long ranges too
ranges = st.lists(
    st.tuples(st.integers(0, OWNERS - 1), st.integers(0, HEIGHT), st.integers(-3, 65)), max_size=40
)


def covered(spans: list[tuple[int, int, int]]) -> np.ndarray:
    out = np.zeros((HEIGHT, OWNERS), dtype=bool)
    for owner, first, length in spans:
        for row in range(first, min(first + length, HEIGHT)):
            out[row, owner] = True
    return out


def columns(spans):
    owner = np.array([s[0] for s in spans], dtype=np.int64)
    first = np.array([s[1] for s in spans], dtype=np.int64)
    stop = np.minimum(first + np.array([s[2] for s in spans], dtype=np.int64), HEIGHT)
    return owner, first, stop


@pytest.mark.parametrize("few", [cells._FEW, 0])  # slices, or the running sum
@given(spans=ranges, start=st.lists(st.booleans(), min_size=HEIGHT * OWNERS, max_size=HEIGHT * OWNERS))
def test_paint_and_clear_mark_exactly_the_ranges(few, spans, start):
    expected = covered(spans)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cells, "_FEW", few)
        assert (paint(HEIGHT, OWNERS, *columns(spans)) == expected).all()
        out = np.array(start, dtype=bool).reshape(HEIGHT, OWNERS)
        before = out.copy()
        clear(out, *columns(spans))
    assert (out == (before & ~expected)).all()


def test_clear_refuses_a_matrix_it_cannot_write_through():
    with pytest.raises(ValueError):
        clear(np.ones((4, 3), dtype=bool, order="F"), [0], [0], [2])


@given(st.data())
def test_rooms_restrict_is_the_per_advisor_rule(data):
    height = data.draw(st.integers(1, 12))
    ncols = data.draw(st.integers(1, 4))
    free = np.array(data.draw(st.lists(st.booleans(), min_size=height * ncols, max_size=height * ncols)))
    free = free.reshape(height, ncols)
    free[:, 0] = True
    places = data.draw(st.integers(1, 4))
    by_place = np.array(
        data.draw(st.lists(st.integers(0, ncols - 1), min_size=places * 7, max_size=places * 7)), dtype=np.int64
    ).reshape(places, 7)
    n = data.draw(st.integers(1, 6))
    place = np.array(data.draw(st.lists(st.integers(0, places - 1), min_size=n, max_size=n)), dtype=np.int64)
    weekday = np.array(data.draw(st.lists(st.integers(0, 6), min_size=height, max_size=height)), dtype=np.int64)
    rooms = FreeRooms(free, np.zeros_like(free, dtype=np.int64), by_place[place], weekday, (None,), place, by_place)
    expected = np.array(
        [[free[s, by_place[place[a], weekday[s]]] for a in range(n)] for s in range(height)], dtype=bool
    ).reshape(height, n)
    assert (rooms.ok() == expected).all()
    cells = np.array(data.draw(st.lists(st.booleans(), min_size=height * n, max_size=height * n))).reshape(height, n)
    before = cells.copy()
    rooms.restrict(cells)
    assert (cells == (before & expected)).all()
