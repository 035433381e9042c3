"""The bank's own wording of its messages: one template per kind and language, the shipped default otherwise.

A template is tried with sample facts of every language, recipient and meeting type before it is
stored (`messages.check_template`), so a message never fails to render when it is sent.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook import messages
from meetbook.catalog import schemas as c
from meetbook.catalog.store import configuration_changed
from meetbook.core.errors import Invalid, NotFound
from meetbook.tables import catalog as m


def _known(kind: str, language: str) -> None:
    if kind not in messages.KINDS:
        raise NotFound(f"there is no message kind '{kind}'; the kinds are {', '.join(messages.KINDS)}")
    if language not in messages.LANGUAGES:
        raise NotFound(f"there is no message language '{language}'; the languages are {', '.join(messages.LANGUAGES)}")


def refusal(error: messages.TemplateError, field: str = "") -> dict[str, str]:
    """One problem of the error body: the part (subject or body) and what is wrong, with its line."""
    part = error.part or "body"
    where = f"line {error.line}: " if error.line else ""
    return {"field": f"{field}{part}", "message": f"{where}{error.problem}"}


def check(kind: str, subject: str, body: str) -> None:
    try:
        messages.check_template(kind, subject, body)
    except messages.TemplateError as error:
        raise Invalid(f"the template does not render: {error}", [refusal(error)]) from None


def _out(kind: str, language: str, row: m.MessageTemplateRow | None) -> c.MessageTemplate:
    if row is None:
        shipped = messages.default_template(kind, language)
        return c.MessageTemplate(kind=kind, language=language, subject=shipped.subject, body=shipped.body, is_default=True)
    return c.MessageTemplate(kind=kind, language=language, subject=row.subject, body=row.body, is_default=False)


async def stored_templates(session: AsyncSession) -> dict[tuple[str, str], messages.Template]:
    """The bank's own templates by (kind, language); a pair not in it uses the shipped default."""
    rows = (await session.scalars(select(m.MessageTemplateRow))).all()
    return {(r.kind, r.language): messages.Template(subject=r.subject, body=r.body) for r in rows}


async def list_templates(session: AsyncSession) -> list[c.MessageTemplate]:
    rows = {(r.kind, r.language): r for r in (await session.scalars(select(m.MessageTemplateRow))).all()}
    return [_out(kind, language, rows.get((kind, language))) for kind in messages.KINDS for language in messages.LANGUAGES]


async def get_template(session: AsyncSession, kind: str, language: str) -> c.MessageTemplate:
    _known(kind, language)
    return _out(kind, language, await session.get(m.MessageTemplateRow, (kind, language)))


async def put_template(
    session: AsyncSession, kind: str, language: str, body: c.MessageTemplateText, now: dt.datetime
) -> c.MessageTemplate:
    _known(kind, language)
    check(kind, body.subject, body.body)
    await write_template(session, kind, language, body.subject, body.body, now)
    await configuration_changed(session)
    return await get_template(session, kind, language)


async def write_template(session: AsyncSession, kind: str, language: str, subject: str, body: str, now: dt.datetime) -> None:
    """Stores an already checked template (the API's PUT and the bank definition file)."""
    row = await session.get(m.MessageTemplateRow, (kind, language))
    if row is None:
        session.add(m.MessageTemplateRow(kind=kind, language=language, subject=subject, body=body, updated_at=now))
    else:
        row.subject, row.body, row.updated_at = subject, body, now
    await session.flush()


async def reset_template(session: AsyncSession, kind: str, language: str) -> None:
    """Back to the shipped default; one that is already the default stays so."""
    _known(kind, language)
    row = await session.get(m.MessageTemplateRow, (kind, language))
    if row is not None:
        await session.delete(row)
        await session.flush()
        await configuration_changed(session)
