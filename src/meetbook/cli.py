"""The `meetbook` command: serve, worker, migrate, import, export, demo, token.

Each command imports what it uses inside it, so `meetbook token` or `--help` does not load the app,
the database drivers and the engine first."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from meetbook.core.config import get_settings

app = typer.Typer(help="Customer meeting booking for a bank.", no_args_is_help=True, add_completion=False)


def _fail(message: str, problems: list[dict] | None = None) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    for p in problems or []:
        typer.echo(f"  {p['field']}: {p['message']}", err=True)
    raise typer.Exit(code=1)


def _migrate(url: str) -> None:
    from meetbook.migrate import upgrade

    upgrade(url)


async def _with_session(url: str, work):
    from meetbook.core.actor import acting_as
    from meetbook.core.db import run_in_transaction

    with acting_as(_os_user(), "cli"):  # the audit trail's "who" for imports and the demo bank
        return await run_in_transaction(url, work)


def _os_user() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


async def _import(url: str, document, quiet: bool = False) -> dict[str, int]:
    from meetbook.bankfile.schemas import BankDefinition
    from meetbook.bankfile.service import import_bank, parse

    bank = document if isinstance(document, BankDefinition) else parse(document)
    total = sum(len(getattr(bank, k) or []) for k in type(bank).model_fields if isinstance(getattr(bank, k), list))

    async def work(session):
        if quiet or total == 0 or not sys.stderr.isatty():  # a bar is for a person at a terminal
            return await import_bank(session, bank)
        with contextlib.ExitStack() as stack:
            bars = []

            def tick(_kind: str, n: int) -> None:
                if not bars:  # opened at the first write, after the checks: a refused file shows none
                    bars.append(stack.enter_context(typer.progressbar(length=total, label="Importing", file=sys.stderr)))
                bars[0].update(n)

            return await import_bank(session, bank, tick)

    return await _with_session(url, work)


async def _is_empty(url: str) -> bool:
    from sqlalchemy import func, select

    from meetbook.tables.catalog import EmployeeRow

    return await _with_session(url, lambda s: s.scalar(select(func.count()).select_from(EmployeeRow))) == 0


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = get_settings()
    _migrate(settings.database_url)
    typer.echo("database is up to date")


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="A bank definition file (YAML or JSON)")]) -> None:
    """Load a bank definition file: validated whole, written all-or-nothing; importing twice is harmless."""
    from meetbook.bankfile.fileio import read_file
    from meetbook.bankfile.service import parse
    from meetbook.core.errors import Invalid

    settings = get_settings()
    try:
        bank = parse(read_file(file))  # first, so that a file that is not one touches no database
        _migrate(settings.database_url)
        counts = asyncio.run(_import(settings.database_url, bank))
    except Invalid as exc:
        _fail(exc.message, exc.errors)
    typer.echo("imported: " + (", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing"))


@app.command()
def export(file: Annotated[Path | None, typer.Argument(help="Where to write (YAML, or JSON by extension); stdout if left out")] = None) -> None:
    """Write the current bank as a definition file that `meetbook import` reads back."""
    from meetbook.bankfile.fileio import dump_text
    from meetbook.bankfile.service import export_bank

    settings = get_settings()
    _migrate(settings.database_url)
    data = asyncio.run(_with_session(settings.database_url, export_bank))
    text = dump_text(data, as_json=file is not None and file.suffix.lower() == ".json")
    if file:
        try:
            file.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {file}: {exc.strerror or exc}")
        typer.echo(f"wrote {file}")
    else:
        typer.echo(text, nl=False)


@app.command()
def demo() -> None:
    """Load the demo bank: three branches, twenty advisors, rooms, topics and groups."""
    from meetbook.demo import demo_bank

    settings = get_settings()
    _migrate(settings.database_url)
    counts = asyncio.run(_import(settings.database_url, demo_bank()))
    typer.echo("demo bank loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))


@app.command()
def token(
    scope: Annotated[str, typer.Option(help="customer, employee or admin (space-separated for several)")] = "customer",
    subject: Annotated[str | None, typer.Option(help="Who the token speaks for (the customer id for customers)")] = None,
    ttl: Annotated[int | None, typer.Option(help="Lifetime in seconds, at least 1 (default: MEETBOOK_TOKEN_TTL_SECONDS, 3600)")] = None,
) -> None:
    """Print an access token from the development issuer."""
    from meetbook.auth.tokens import issue_token

    settings = get_settings()
    if settings.jwks_url:
        _fail("this service validates tokens from an identity provider (MEETBOOK_JWKS_URL); get one there")
    try:
        typer.echo(issue_token(settings, scope, subject, ttl))
    except ValueError as exc:
        _fail(str(exc))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo bank when the database is empty")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Migrate, optionally load the demo bank, and serve the API, /docs and the booking page."""
    import uvicorn

    from meetbook.core.transport import HTTP_PROTOCOL
    from meetbook.demo import demo_bank

    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(message)s")
    _migrate(settings.database_url)
    if demo and asyncio.run(_is_empty(settings.database_url)):
        asyncio.run(_import(settings.database_url, demo_bank(), quiet=True))
        typer.echo("demo bank loaded")
    typer.echo(f"serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(
        "meetbook.asgi:app",
        host=host,
        port=port,
        workers=workers,
        timeout_graceful_shutdown=30,
        http=HTTP_PROTOCOL,  # the server's own refusals (a URL over 64 kB...) as JSON error bodies
        log_level=settings.log_level.lower(),
        access_log=False,
    )


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due now, then exit")] = False,
) -> None:
    """Deliver the outbox (invitations, reminders, webhooks) without serving HTTP. Run it beside servers
    started with MEETBOOK_DISPATCH_IN_SERVER=false, or as well as them: deliveries are claimed so that
    no message goes out twice at once."""
    from meetbook.app import build_dispatcher
    from meetbook.calendarsync.sync import Syncer
    from meetbook.core.clock import SystemClock
    from meetbook.core.db import make_engine, make_sessionmaker

    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(message)s")
    _migrate(settings.database_url)

    async def run() -> int:
        engine = make_engine(settings.database_url)
        try:
            sessions = make_sessionmaker(engine)
            dispatcher = build_dispatcher(settings, sessions, SystemClock())
            calendars = Syncer(sessions, settings, SystemClock())
            if once:
                await calendars.sync_due()  # the calendars due now, then what their meetings' pushes need
                return await dispatcher.run_until_idle()
            typer.echo(f"delivering the outbox every {settings.dispatch_poll_seconds:g} s; Ctrl+C stops")
            loops = [dispatcher.run_forever(settings.dispatch_poll_seconds)]
            if settings.calendar_sync_seconds > 0:  # and reading advisors' calendars, claimed as the servers claim them
                loops.append(calendars.run_forever())
            await asyncio.gather(*loops)
            return 0
        finally:
            await engine.dispose()

    try:
        done = asyncio.run(run())
    except KeyboardInterrupt:
        done = 0
    if once:
        typer.echo(f"{done} event(s) planned and delivery attempt(s) made")


audit = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit, name="audit")


@audit.command("verify")
def audit_verify() -> None:
    """Walk the audit trail's hash chain; exit 1 naming the first row that does not match (changed or deleted)."""
    from meetbook.tables.audit import chain_pending, verify_chain

    async def chain_then_verify(session):
        await chain_pending(session)  # the changes still waiting for the sweeper are checked too
        return await verify_chain(session)

    verdict = asyncio.run(_with_session(get_settings().database_url, chain_then_verify))
    if verdict.problem is not None:
        _fail(f"the audit trail does not verify: {verdict.problem} ({verdict.rows} row(s) before it match)")
    typer.echo(f"audit trail verified: {verdict.rows} row(s), the chain is intact")


def main() -> None:
    """The console entry: a wrong setting or a database that does not answer is one line on stderr
    and a non-zero exit, not a traceback."""
    from pydantic import ValidationError
    from sqlalchemy.exc import InterfaceError, OperationalError

    try:
        app()
    except ValidationError as exc:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        typer.secho(f"error: the settings are not valid: {problems}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except (OperationalError, InterfaceError) as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        typer.secho(f"error: the database does not answer ({reason}); check MEETBOOK_DATABASE_URL", fg=typer.colors.RED, err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
