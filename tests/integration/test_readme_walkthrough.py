"""A newcomer's first minute: `meetbook serve --demo` starts quietly, and the README's curl
walk-through, run as written against it, books a meeting, prints one answer per line and leaves
nothing in the repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from meetbook.core.http import CODES
from tests.integration.meetbook_serve import meetbook_serve

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
WRITTEN = ("slots.json", "reserve.json", "meeting.ics")  # what the walk-through writes


def _walkthrough() -> str:
    section = README[README.index("## Book a meeting with curl") :]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def _state(path: Path):
    return path.stat().st_mtime_ns if path.exists() else None


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("bash")), reason="the walk-through needs curl and bash")
def test_the_readme_walkthrough_books_a_meeting_cleanly(tmp_path):
    database = f"sqlite+aiosqlite:///{tmp_path}/new.db"  # not migrated yet: the start migrates it
    with meetbook_serve(tmp_path / "server", database, "--demo") as server:
        script = _walkthrough().replace("http://127.0.0.1:8000", server.url)
        before = {name: _state(REPO / name) for name in WRITTEN}
        # The walk-through puts .venv/bin on PATH; this interpreter's folder too, wherever its venv is.
        env = {**server.env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        run = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=120)
        startup = server.output.read_text()

    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert {name: _state(REPO / name) for name in WRITTEN} == before, "the walk-through wrote into the repository"

    lines = run.stdout.splitlines()
    # Step 1: four JSON answers, each on a line of its own.
    for line in lines[:4]:
        assert isinstance(json.loads(line), list), line[:200]
    slot, hold, meeting = lines[4], json.loads(lines[5]), json.loads(lines[6])
    assert "'startDate'" in slot and hold["status"] == "Reserved" and meeting["status"] == "Booked"
    calendar = "\n".join(lines[7:])
    assert calendar.startswith("BEGIN:VCALENDAR") and f"UID:{meeting['id']}" in calendar

    # `meetbook serve` says what it did and where it listens, without Alembic's INFO lines.
    first = startup[: startup.index("serving on")].splitlines()
    assert first == ["demo bank loaded"], startup


def test_the_readme_lists_every_error_code():
    paragraph = README[README.index("Errors are JSON") :].split("\n\n")[0]
    for status, code in CODES.items():
        assert f"`{code}` ({status}" in paragraph, code
