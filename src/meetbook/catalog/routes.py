"""Configuration reads of the seed: topics, customer types, employees, rooms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from meetbook.auth.deps import SignedIn
from meetbook.catalog import schemas as c
from meetbook.catalog import service
from meetbook.core.http import ReadSession, dump, error_responses, json
from meetbook.core.wire import IdParam

router = APIRouter()
ERRORS = error_responses(403, 404)


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
):
    topics = await service.list_topics(session, is_customer, customer_type_id or customer_category_id)
    return json([dump(t) for t in topics])


@router.get("/bookme/meeting-topics/{id}", tags=["BookMe"], summary="Get a meeting topic", response_model=c.Topic, responses=ERRORS)
async def get_topic(session: ReadSession, _who: SignedIn, id: IdParam):
    return json(dump(await service.get_topic(session, id)))


@router.get("/config/customer-types", tags=["Organization Configuration"], summary="List customer types", response_model=list[c.CustomerType], responses=ERRORS)
async def list_customer_types(session: ReadSession, _who: SignedIn):
    return json([dump(x) for x in await service.list_customer_types(session)])


@router.get("/config/customer-types/{id}", tags=["Organization Configuration"], summary="Get a customer type", response_model=c.CustomerType, responses=ERRORS)
async def get_customer_type(session: ReadSession, _who: SignedIn, id: IdParam):
    return json(dump(await service.get_customer_type(session, id)))


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


@router.get("/bookme/config/locations", tags=["Organization Configuration"], summary="List branches (locations)", response_model=list[c.Location], responses=ERRORS)
async def list_locations(session: ReadSession, _who: SignedIn):
    return json([dump(x) for x in await service.list_locations(session)])


@router.get("/bookme/config/organization-settings", tags=["Organization Configuration"], summary="The bank's settings", response_model=c.OrganizationSettings, responses=ERRORS)
async def get_settings(session: ReadSession, _who: SignedIn):
    return json(dump(await service.get_settings(session)))
