"""The replica tests' private PostgreSQL: a primary and a streaming replica (bench.pg_cluster, shared
with the benchmark), migrated, with a bank loaded. Where the server's binaries are missing the tests
are skipped, and fail instead under CI=true, like the PostgreSQL half of the suite."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bench import pg_cluster
from tests.conftest import IN_CI


@contextmanager
def replicated_bank(document: dict) -> Iterator[pg_cluster.Cluster]:
    """A primary and its replica, both holding `document` (a bank definition) once this yields."""
    problem = pg_cluster.missing()
    if problem:
        if IN_CI:
            pytest.fail(f"the replica tests need the PostgreSQL server binaries in CI: {problem}")
        pytest.skip(f"no private PostgreSQL cluster here: {problem}")
    from meetbook.bankfile.service import import_bank, parse
    from meetbook.core.db import run_in_transaction
    from meetbook.migrate import upgrade

    with pg_cluster.Cluster() as cluster:
        upgrade(cluster.primary_url)
        asyncio.run(run_in_transaction(cluster.primary_url, lambda session: import_bank(session, parse(document))))
        cluster.wait_caught_up()
        yield cluster
