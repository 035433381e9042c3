"""Configuration API: the wording of the bank's messages (admin writes, employee reads)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import WithJsonSchema

from meetbook.auth.deps import Admin, Employee
from meetbook.catalog import schemas as c
from meetbook.catalog.admin import messages as admin_messages
from meetbook.catalog.admin.endpoints import CONFIG
from meetbook.core.http import Now, Session, dump, error_responses, json
from meetbook.messages import KINDS, LANGUAGES, VARIABLES

router = APIRouter(tags=[CONFIG])
TEMPLATES = "/config/message-templates"
ONE = TEMPLATES + "/{kind}/{language}"
# Plain text, so an unknown one is a 404 naming the known ones; the document lists the known ones.
Kind = Annotated[str, Path(), WithJsonSchema({"type": "string", "enum": list(KINDS)})]
Language = Annotated[str, Path(), WithJsonSchema({"type": "string", "enum": list(LANGUAGES)})]
_WHICH = f"Kinds: {', '.join(KINDS)}; languages: {', '.join(LANGUAGES)}; any other is a 404."


@router.get(TEMPLATES, summary="Every message template (kind × language)", response_model=list[c.MessageTemplate],
            description="The bank's own wording where it has written one, the shipped default (isDefault) elsewhere.",
            responses=error_responses(403))
async def list_templates(session: Session, _who: Employee):
    return json([dump(t) for t in await admin_messages.list_templates(session)])


@router.get(TEMPLATES + "/variables", summary="What a message template may use", response_model=dict[str, str],
            description="Variable name → what it holds. Templates are Jinja2 (sandboxed); see docs/messages.md.",
            responses=error_responses(403))
async def template_variables(_who: Employee):
    return json(VARIABLES)


@router.get(ONE, summary="One message template", response_model=c.MessageTemplate, description=_WHICH,
            responses=error_responses(403, 404))
async def get_template(session: Session, _who: Employee, kind: Kind, language: Language):
    return json(dump(await admin_messages.get_template(session, kind, language)))


@router.put(ONE, summary="Write the bank's own message template", response_model=c.MessageTemplate,
            description="The template is rendered with sample facts in both languages, for every recipient and meeting type, "
            "before it is stored; one that does not render is a 400 naming the part, the line and the problem. " + _WHICH,
            responses=error_responses(400, 403, 404))
async def put_template(now: Now, session: Session, _who: Admin, kind: Kind, language: Language, body: c.MessageTemplateText):
    return json(dump(await admin_messages.put_template(session, kind, language, body, now)))


@router.delete(ONE, summary="Back to the shipped message template", status_code=204, description=_WHICH,
               responses=error_responses(403, 404))
async def reset_template(session: Session, _who: Admin, kind: Kind, language: Language):
    await admin_messages.reset_template(session, kind, language)
    return Response(status_code=204)
