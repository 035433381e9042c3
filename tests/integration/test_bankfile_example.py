"""docs/bank-definition.md's example is a real file that imports as written and makes a working bank."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from meetbook.cli import app as cli
from meetbook.core.config import get_settings
from tests.integration.helpers import search

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLE = DOCS / "examples" / "bank.yaml"
ANNA = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
BO = "4082c730-e10d-46bb-8164-cd369a7855ef"
BUYING_A_HOME = "eb8487e2-9faa-4213-806a-74d611de06c3"
PENSION = "009a634c-5d49-416e-a0ac-6d08f197ba0f"
PRIVATE = "0d7a3f52-6a5e-4c59-9d66-3c0b1f5a2b10"


def test_the_document_shows_the_example_file():
    shown = re.search(r"```yaml\n(.*?)```", (DOCS / "bank-definition.md").read_text(), re.S).group(1)
    assert shown == EXAMPLE.read_text()


def test_the_example_imports_and_offers_meetings(database_url, monkeypatch, client, token):
    monkeypatch.setenv("MEETBOOK_DATABASE_URL", database_url)
    monkeypatch.setenv("MEETBOOK_ENVIRONMENT", "development")
    get_settings.cache_clear()
    try:
        for _ in range(2):  # importing twice leaves one bank
            result = CliRunner().invoke(cli, ["import", str(EXAMPLE)])
            assert result.exit_code == 0, result.output
    finally:
        get_settings.cache_clear()

    e = token("employee")
    assert {x["email"] for x in client.get("/config/employees", headers=e).json()} == {"anna@bank.example", "bo@bank.example"}
    settings = client.get("/bookme/config/organization-settings", headers=e).json()
    assert (settings["openingTime"], settings["closingTime"], settings["closingDays"]) == ("08:00:00", "17:00:00", ["2026-12-24"])

    # Monday 1 June 2026, 08:00 in Copenhagen. Buying a home (a sub-topic of Housing, 30 minutes) is
    # Anna's through her competence group; with two working hours' notice her first slot is 10:00.
    housing = search(client, token(), topic=BUYING_A_HOME, customerTypeId=PRIVATE, meetingTypes="physical",
                     customerLocation="Copenhagen", lookForwardTime="1.00:00:00")
    assert {s["employeeId"] for s in housing} == {ANNA}
    assert housing[0]["startDate"] == "2026-06-01T08:00:00.000Z" and housing[0]["endDate"] == "2026-06-01T08:30:00.000Z"
    # Pension is online or by phone; Anna's group does not cover it, so Bo (a generalist) is offered.
    pension = search(client, token(), topic=PENSION, customerTypeId=PRIVATE, meetingTypes="online", lookForwardTime="1.00:00:00")
    assert pension and {s["employeeId"] for s in pension} == {BO}
