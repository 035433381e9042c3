"""Fixtures of the integration tests beyond the shared ones of tests/conftest.py."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from meetbook.cli import app as cli
from meetbook.core.config import get_settings


@pytest.fixture
def meetbook(database_url, monkeypatch):
    """meetbook("import", path) -> the result of the `meetbook` command against this test's database."""
    monkeypatch.setenv("MEETBOOK_DATABASE_URL", database_url)
    monkeypatch.setenv("MEETBOOK_ENVIRONMENT", "development")
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli, [str(a) for a in args])
    get_settings.cache_clear()
