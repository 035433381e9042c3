"""bench.memory's readers of /proc: what a mapping is charged to, the per-kind sums of smaps, the
roles in a uvicorn process group, and the printed table (no server started here)."""

from __future__ import annotations

import os

import pytest

from bench import memory

SMAPS = """\
55d0c0000000-55d0c0100000 r--p 00000000 08:01 123 /usr/bin/python3.11
Size:               1024 kB
Rss:                 800 kB
Pss:                 400 kB
55d0c1000000-55d0c5000000 rw-p 00000000 00:00 0 [heap]
Size:              65536 kB
Rss:               60000 kB
7f0000000000-7f0001000000 rw-p 00000000 00:00 0
Rss:                2048 kB
7f0002000000-7f0003000000 r-xp 00000000 08:01 9 /w/.venv/lib/python3.11/site-packages/numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so
Rss:                5000 kB
7f0004000000-7f0005000000 r-xp 00000000 08:01 9 /w/.venv/lib/python3.11/site-packages/scipy_openblas64/lib/libscipy_openblas64_.so
Rss:                3000 kB
7f0006000000-7f0007000000 r-xp 00000000 08:01 9 /w/.venv/lib/python3.11/site-packages/psycopg_binary.libs/libpq-abc.so.5
Rss:                1000 kB
VmFlags: rd ex mr mw me
"""


def test_smaps_are_summed_per_kind_of_mapping():
    kinds = memory.smaps_by_kind(SMAPS)
    assert kinds == {
        "heap and anonymous": (60000 + 2048) * 1024,
        "numpy": (5000 + 3000) * 1024,  # numpy's own libraries and its OpenBLAS
        "psycopg_binary": 1000 * 1024,
        "python, libc, other": 800 * 1024,
    }
    assert list(kinds)[0] == "heap and anonymous"  # largest first


@pytest.mark.parametrize("path, kind", [
    ("", "heap and anonymous"),
    ("[stack]", "heap and anonymous"),
    ("[anon:glibc]", "heap and anonymous"),
    ("/x/site-packages/lxml/etree.cpython-311-x86_64-linux-gnu.so", "lxml"),
    ("/x/site-packages/cryptography/hazmat/bindings/_rust.abi3.so", "cryptography"),
    ("/x/site-packages/pydantic_core/_pydantic_core.so", "pydantic_core"),
    ("/usr/lib/x86_64-linux-gnu/libc.so.6", "python, libc, other"),
])
def test_mapping_kind(path, kind):
    assert memory.mapping_kind(path) == kind


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no /proc")
def test_this_process_is_measured():
    mem = memory.proc_memory(os.getpid(), "worker")
    assert mem is not None and mem.rss > 0 and mem.hwm >= mem.rss
    assert sum(mem.by_mapping.values()) > 0
    if os.access("/proc/self/smaps_rollup", os.R_OK):
        assert mem.uss is not None and 0 < mem.uss <= mem.rss and mem.pss is not None
    assert memory.proc_memory(2**22 + 12345) is None  # no such process


def test_the_table_marks_workers_over_the_target():
    def proc(pid, role, hwm):
        return {"pid": pid, "role": role, "rss_mb": 100.0, "hwm_mb": hwm, "pss_mb": 90.0, "uss_mb": 80.0, "swap_mb": 0.0,
                "by_mapping_mb": {"heap and anonymous": 70.0, "numpy": 10.0}}

    phases = [{"bank": "2000 advisors", "phase": "after the searches", "target": True,
               "processes": [proc(1, "supervisor", 400.0), proc(2, "worker", 200.0), proc(3, "worker", 251.0),
                             proc(4, "other", 999.0)]}]
    lines = memory.table(phases).splitlines()
    assert len(lines) == 2 + 3  # the resource tracker ("other") is left out
    assert lines[2].rstrip().endswith("numpy 10")  # no verdict for the supervisor
    assert lines[3].endswith("yes") and lines[4].endswith("NO")
    summary = memory.summary([memory.ProcMemory(2, "worker", 100 * memory.MB, 200 * memory.MB),
                              memory.ProcMemory(1, "supervisor", 300 * memory.MB, 300 * memory.MB)])
    assert summary["workers"] == 1 and summary["max_hwm_mb"] == 200.0 and summary["max_uss_mb"] is None
