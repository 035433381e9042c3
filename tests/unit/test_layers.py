"""The package's imports go one way: down the layers of docs/architecture.md, never up, never in a
circle. Read from the source with `ast` (every import, also those inside functions)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import meetbook

PACKAGE = Path(meetbook.__file__).resolve().parent

# Lowest first. A unit is a top-level package or module of `meetbook`; a unit may import its own
# modules and the units of lower layers only. Units on one line are siblings: neither imports the other.
LAYERS: list[tuple[str, ...]] = [
    ("core",),  # database, unit of work, ids, locks, errors, clock, time formats, wire pieces, HTTP plumbing
    ("availability", "messages"),  # the pure engine; the pure wording of messages (Jinja2, Babel)
    ("tables",),  # every ORM row, resource keys, the shared claim reads and writes
    ("auth",),
    ("catalog", "compliance"),  # configuration; the audit log, erasure and retention
    ("slots",),  # search, and every time slot that is not a reservation
    ("reservations",),  # holds
    ("meetings",),
    ("events",),  # the outbox's dispatcher: events to deliveries, claimed, retried
    ("bankfile", "calendarsync", "feeds", "notifications", "web", "webhooks"),
    ("demo", "migrate", "openapi", "docs_ui", "monitoring"),
    ("app",),
    ("asgi", "cli"),
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
# What nothing imports but tooling: Alembic's scripts import the tables and the core.
SKIPPED = {"migrations"}


def _unit(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "meetbook" and len(parts) > 1 else None


def _imports() -> dict[tuple[str, str], list[str]]:
    """(importing unit, imported unit) -> where, for every import between two units."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        source_unit = relative.parts[1] if len(relative.parts) > 1 else None
        if source_unit in SKIPPED or source_unit is None:
            continue
        source_unit = source_unit.removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module] if node.module != "meetbook" else [f"meetbook.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                unit = _unit(target)
                if unit is not None and unit != source_unit:
                    found[(source_unit, unit)].append(f"{relative.as_posix()}.py:{node.lineno}")
    return found


def test_every_unit_has_a_layer():
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if (p.suffix == ".py" or (p / "__init__.py").exists())}
    units -= {"__init__", "__main__"} | SKIPPED
    assert sorted(units - RANK.keys()) == [], "add the new package or module to LAYERS (and to docs/architecture.md)"


def test_imports_only_go_down():
    upward = [
        f"{source} -> {target} ({', '.join(where[:3])})"
        for (source, target), where in sorted(_imports().items())
        if target not in SKIPPED and RANK.get(target, -1) >= RANK.get(source, -1)
    ]
    assert upward == []


def test_no_cycles_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in _imports():
        graph[source].add(target)
    cycles = sorted(f"{a} <-> {b}" for a in graph for b in graph[a] if a < b and a in graph.get(b, ()))
    assert cycles == []
