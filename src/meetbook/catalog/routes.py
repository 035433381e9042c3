"""Configuration reads of the seed: topics, customer types, employees, rooms."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request

from meetbook.auth.deps import Admin, Employee, SignedIn
from meetbook.catalog import schemas as c
from meetbook.catalog import service, workspace
from meetbook.catalog.localized import LangParam, read_lang
from meetbook.core.errors import Invalid
from meetbook.core.http import Now, ReadSession, dump, error_responses, json
from meetbook.core.timefmt import parse_date
from meetbook.core.wire import DateParam, IdParam

router = APIRouter()
ERRORS = error_responses(403, 404)
LANG_ERRORS = error_responses(400, 403, 404)  # an unknown ?lang= is a 400


@router.get(
    "/bookme/meeting-topics",
    tags=["BookMe"],
    summary="List meeting topics",
    response_model=list[c.Topic],
    responses=error_responses(400, 403, 404),
)
async def list_topics(
    session: ReadSession,
    _who: SignedIn,
    is_customer: Annotated[bool, Query(alias="isCustomer", description="true: only topics customers may pick")],
    customer_category_id: Annotated[IdParam | None, Query(alias="customerCategoryId", description="Only topics for this customer type (seed name)")] = None,
    customer_type_id: Annotated[IdParam | None, Query(alias="customerTypeId", description="Same as customerCategoryId")] = None,
    lang: LangParam = None,
):
    topics = await service.list_topics(session, is_customer, customer_type_id or customer_category_id, read_lang(lang))
    return json([dump(t) for t in topics])


@router.get("/bookme/meeting-topics/{id}", tags=["BookMe"], summary="Get a meeting topic", response_model=c.Topic, responses=LANG_ERRORS)
async def get_topic(session: ReadSession, _who: SignedIn, id: IdParam, lang: LangParam = None):
    return json(dump(await service.get_topic(session, id, read_lang(lang))))


@router.get("/config/customer-types", tags=["Organization Configuration"], summary="List customer types", response_model=list[c.CustomerType], responses=LANG_ERRORS)
async def list_customer_types(session: ReadSession, _who: SignedIn, lang: LangParam = None):
    return json([dump(x) for x in await service.list_customer_types(session, read_lang(lang))])


@router.get("/config/customer-types/{id}", tags=["Organization Configuration"], summary="Get a customer type", response_model=c.CustomerType, responses=LANG_ERRORS)
async def get_customer_type(session: ReadSession, _who: SignedIn, id: IdParam, lang: LangParam = None):
    return json(dump(await service.get_customer_type(session, id, read_lang(lang))))


@router.get("/config/employees", tags=["Organization Configuration"], summary="List employees who can be booked", response_model=list[c.Employee], responses=ERRORS)
async def list_employees(session: ReadSession, _who: SignedIn):
    return json([dump(x) for x in await service.list_employees(session)])


@router.get("/config/employees/{id}", tags=["Organization Configuration"], summary="Get an employee", response_model=c.Employee, responses=ERRORS)
async def get_employee(session: ReadSession, _who: SignedIn, id: IdParam):
    return json(dump(await service.get_employee(session, id)))


@router.get("/config/rooms", tags=["Organization Configuration"], summary="List rooms", response_model=list[c.Room], responses=ERRORS)
async def list_rooms(session: ReadSession, _who: SignedIn):
    return json([dump(x) for x in await service.list_rooms(session)])


@router.get("/config/rooms/{id}", tags=["Organization Configuration"], summary="Get a room", response_model=c.Room, responses=ERRORS)
async def get_room(session: ReadSession, _who: SignedIn, id: IdParam):
    return json(dump(await service.get_room(session, id)))


@router.get("/bookme/config/locations", tags=["Organization Configuration"], summary="List branches (locations)", response_model=list[c.Location], responses=LANG_ERRORS)
async def list_locations(session: ReadSession, _who: SignedIn, lang: LangParam = None):
    return json([dump(x) for x in await service.list_locations(session, read_lang(lang))])


@router.get("/bookme/config/organization-settings", tags=["Organization Configuration"], summary="The bank's settings", response_model=c.OrganizationSettings, responses=LANG_ERRORS)
async def get_settings(session: ReadSession, _who: SignedIn, lang: LangParam = None):
    return json(dump(await service.get_settings(session, read_lang(lang))))


@router.get(
    "/bookme/config/staff/me", tags=["Staff workspace"], summary="The signed-in employee (employees)",
    description="The employee whose id or externalId is the token's subject, and whether the token may open the branch view.",
    response_model=c.StaffMember, responses=ERRORS,
)
async def staff_member(session: ReadSession, who: Employee):
    return json(dump(await workspace.staff_member(session, who)))


@router.get(
    "/bookme/config/branch-overview", tags=["Staff workspace"], summary="A branch's advisors over a week (admin)",
    description="Advisors at home at the branch or scheduled there that week: per day their hours and branch, booked time "
    "against the daily cap; and why an advisor cannot be booked (NoSchedule, NoWorkdays, NotBookable, NoQualification).",
    response_model=c.BranchOverview, responses=error_responses(400, 403, 404),
)
async def branch_overview(
    now: Now, request: Request, session: ReadSession, _who: Admin,
    location: Annotated[str, Query(min_length=1, max_length=200, description="The branch (a location's name)")],
    week: Annotated[DateParam | None, Query(description="Any date of the week, e.g. 2026-06-03 (default today)")] = None,
):
    bank = await request.app.state.snapshots.get(session)
    if week:
        try:
            day = parse_date(week)
        except ValueError:
            problem = [{"field": "week", "message": "not a date"}]
            raise Invalid(f"week: '{week}' is not a date such as 2026-06-01", problem) from None
    else:
        day = now.astimezone(ZoneInfo(bank.settings.time_zone)).date()
    return json(dump(await workspace.branch_overview(session, bank, location, day)))
