"""Configuration API: the bank's settings, closing days, priority rules, and the allowed options."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from meetbook.auth.deps import Admin, Employee, SignedIn
from meetbook.catalog import schemas as c
from meetbook.catalog.admin import settings as admin_settings
from meetbook.catalog.admin.endpoints import CONFIG, PATCH_BODY, PATCH_TEXT, Patch, created
from meetbook.catalog.schemas import AllowedOptions, ClosingDay
from meetbook.core import idempotency
from meetbook.core.http import IdempotencyKey, Session, dump, error_responses, json
from meetbook.core.wire import DateParam, IdParam

router = APIRouter(tags=[CONFIG])
SETTINGS = "/bookme/config/organization-settings"


@router.put(SETTINGS, summary="Replace the bank's settings", description="Every setting; one left out takes its default.",
            response_model=c.OrganizationSettings, responses=error_responses(400, 403))
async def put_settings(session: Session, _who: Admin, body: c.OrganizationSettings):
    return json(dump(await admin_settings.put_settings(session, body)))


@router.patch(SETTINGS, summary="Change the bank's settings (JSON Patch)", description=PATCH_TEXT,
              response_model=c.OrganizationSettings, openapi_extra={"requestBody": PATCH_BODY}, responses=error_responses(400, 403))
async def patch_settings(session: Session, _who: Admin, body: Patch = None):
    return json(dump(await admin_settings.patch_settings(session, body)))


@router.post(SETTINGS + "/closing-days", summary="Add a closing day (the bank is closed the whole local day)", status_code=201,
             description="Answers with the settings; a date that is already a closing day is a 409.",
             response_model=c.OrganizationSettings, responses=error_responses(400, 403, 409))
async def add_closing_day(request: Request, session: Session, who: Admin, body: ClosingDay, _key: IdempotencyKey = None):
    async def produce():
        settings = await admin_settings.add_closing_day(session, body.date)
        return created(dump(settings), f"{SETTINGS}/closing-days/{body.date.isoformat()}")

    return await idempotency.once(request, session, who.subject, produce)


@router.delete(SETTINGS + "/closing-days/{date}", summary="Remove a closing day", status_code=204,
               responses=error_responses(400, 403, 404))
async def remove_closing_day(session: Session, _who: Admin, date: DateParam):
    await admin_settings.remove_closing_day(session, date)
    return Response(status_code=204)


RULES = "/bookme/config/priority-rules"


@router.get(RULES, summary="The advisor pools' order of preference", response_model=list[c.PriorityRule],
            description="The default (none stored) is Explicit, Local, ServiceGroup.", responses=error_responses(403))
async def get_priority_rules(session: Session, _who: Employee):
    return json([dump(r) for r in await admin_settings.get_priority_rules(session)])


@router.put(RULES, summary="Replace the ordered priority rules", response_model=list[c.PriorityRule],
            description="Explicit and Local at most once each; only ServiceGroup levels carry a label; no level twice.",
            responses=error_responses(400, 403))
async def put_priority_rules(session: Session, _who: Admin, body: Annotated[list[c.PriorityRule], Body(json_schema_extra={"minItems": 1})]):
    return json([dump(r) for r in await admin_settings.put_priority_rules(session, body)])


@router.get(
    "/bookme/config/allowed-options", summary="The meeting types and advisor pools a booking form can offer",
    description="Meeting types: the topic's types (all when it lists none) that some bookable, qualified advisor offers "
    "at the location on some weekday (as a Local advisor, or through a triggered service group's level). Pools: Explicit "
    "always; Local when qualified advisors work at the location; ServiceGroup when a triggered service group has members. "
    "From the weekly configuration only: a quick check, not a slot search.",
    response_model=AllowedOptions, responses=error_responses(403, 404),
)
async def allowed_options(
    request: Request, session: Session, _who: SignedIn,
    topic_id: Annotated[IdParam | None, Query(alias="topicId")] = None,
    customer_type_id: Annotated[IdParam | None, Query(alias="customerTypeId")] = None,
    location: Annotated[str | None, Query(description="A branch name, e.g. Copenhagen")] = None,
):
    options = await admin_settings.allowed_options(session, request.app.state.snapshots, topic_id or None,
                                                   customer_type_id or None, location or None)
    return json(dump(options))
