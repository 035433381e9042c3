"""The availability engine is pure: the standard library and numpy only, nothing else from
`meetbook`, no clock, no I/O."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import meetbook.availability

PACKAGE_DIR = Path(meetbook.availability.__file__).resolve().parent
FRAMEWORKS = (
    "sqlalchemy",
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic_settings",
    "alembic",
)
# The one third-party package the engine may use: its grid arithmetic is numpy arrays.
ALLOWED = ("numpy",)


def test_importing_the_engine_pulls_in_nothing_else_from_meetbook():
    code = (
        "import json, sys; import meetbook.availability; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(PACKAGE_DIR.parents[1]), *filter(None, [env.get("PYTHONPATH")])]
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    modules = json.loads(out)
    ours = [m for m in modules if m == "meetbook" or m.startswith("meetbook.")]
    outside = [
        m
        for m in ours
        if m not in ("meetbook", "meetbook.availability")
        and not m.startswith("meetbook.availability.")
    ]
    assert outside == []
    foreign = [m for m in modules if m.split(".")[0] in FRAMEWORKS]
    assert foreign == []


def _sources() -> list[Path]:
    files = sorted(PACKAGE_DIR.glob("*.py"))
    assert files
    return files


def test_engine_sources_import_only_the_standard_library_numpy_and_each_other():
    stdlib = sys.stdlib_module_names
    for path in _sources():
        for line in path.read_text().splitlines():
            match = re.match(r"\s*(?:from\s+(\S+)\s+import|import\s+(\S+))", line)
            if not match:
                continue
            module = (match.group(1) or match.group(2)).rstrip(",")
            if module.startswith("."):
                continue
            top = module.split(".")[0]
            assert top in stdlib or top in ALLOWED or module == "__future__", f"{path.name}: {line}"


def test_engine_sources_never_read_the_clock():
    forbidden = re.compile(
        r"\bnow\(|\btime\.time\b|\btime\.monotonic\b|\btime\.perf_counter\b|\bdate\.today\b"
        r"|\butcnow\b|\bimport time\b|\bfrom time import\b|\brandom\b|\bopen\(|\buuid\b"
    )
    for path in _sources():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            assert not forbidden.search(code), f"{path.name}:{number}: {line.strip()}"
