"""Bring a database's schema up to date with Alembic (both SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from pathlib import Path

# Alembic logs INFO lines when imported (its plugins) and on every run (dialect, each step), which
# `meetbook serve`'s INFO logging printed at every start; its warnings and errors still show.
logging.getLogger("alembic").setLevel(logging.WARNING)

from alembic import command  # noqa: E402  (after the level: importing alembic logs)
from alembic.config import Config  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from meetbook.core.db import sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    url = make_url(sync_url(database_url))
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), "head")
