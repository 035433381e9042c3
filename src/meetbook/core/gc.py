"""Deferring the cyclic garbage collector while many cycle-free objects are made."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_deferred() -> Iterator[None]:
    """No cyclic garbage collection while tens of thousands of objects that hold no cycles are
    made (a read's rows, an answer's dicts): they would trigger several collections, each walking
    much of the heap, for nothing. The collector runs again right after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
