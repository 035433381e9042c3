"""The `meetbook` command, as installed, when its settings are wrong or its database does not
answer: one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

MEETBOOK = shutil.which("meetbook", path=str(Path(sys.executable).parent)) or "meetbook"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MEETBOOK_")}
    return subprocess.run([MEETBOOK, *args], env={**clean, **env}, capture_output=True, text=True, timeout=60)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.mark.parametrize("command", [["migrate"], ["demo"], ["serve", "--port", "1"]])
def test_settings_refused_for_production_are_one_line(command, tmp_path):
    answer = _run(*command, MEETBOOK_ENVIRONMENT="production", MEETBOOK_DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    assert answer.returncode == 2
    assert answer.stderr.strip().splitlines() == [
        "error: the settings are not valid: MEETBOOK_AUTH_SECRET is the development default; "
        "set a secret of your own or MEETBOOK_JWKS_URL for production"
    ]
    assert "Traceback" not in answer.stderr + answer.stdout


@pytest.mark.parametrize("command", [["migrate"], ["demo"], ["export", "-"]])
def test_a_database_that_does_not_answer_is_one_line(command):
    answer = _run(*command, MEETBOOK_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{_closed_port()}/nowhere")
    assert answer.returncode == 1, answer.stderr
    lines = answer.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the database does not answer (") and "MEETBOOK_DATABASE_URL" in lines[0]
    assert "Traceback" not in answer.stderr + answer.stdout
