"""The engine's array helpers against plain Python: ranks within groups, with keys that fit one
integer and keys that do not (the lexsort path)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from meetbook.availability.cells import rank_within_groups

items = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 90_000), st.integers(0, 2**64 - 1)), min_size=0, max_size=60
)


def reference(rows: list[tuple]) -> list[int]:
    """Each item's position in its group, ordered by the keys, ties by position in the input."""
    ranks = []
    for i, (group, *keys) in enumerate(rows):
        ranks.append(sum(1 for j, (g, *k) in enumerate(rows) if g == group and (k, j) < (keys, i)))
    return ranks


@given(items)
def test_ranks_with_keys_that_fit_one_integer(rows):
    group = np.array([r[0] for r in rows], dtype=np.int64)
    booked = np.array([r[1] for r in rows], dtype=np.int64)
    small = np.array([r[2] % 500 for r in rows], dtype=np.int64)
    expected = reference([(g, b, s) for g, b, s in zip(group.tolist(), booked.tolist(), small.tolist())])
    assert rank_within_groups(group, booked, small).tolist() == expected


@given(items)
def test_ranks_with_keys_too_wide_for_one_integer(rows):
    group = np.array([r[0] for r in rows], dtype=np.int64)
    booked = np.array([r[1] for r in rows], dtype=np.int64)
    hashes = np.array([r[2] for r in rows], dtype=np.uint64)  # 64-bit: no room left to combine
    assert rank_within_groups(group, booked, hashes).tolist() == reference(rows)
