"""Calendar feeds: make or revoke an advisor's or a room's feed URL, and the feed itself."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request, Response

from meetbook.auth.deps import Admin, Employee
from meetbook.auth.tokens import Principal
from meetbook.catalog.admin.endpoints import CONFIG
from meetbook.core.errors import NotFound
from meetbook.core.http import ErrorBody, Now, ReadSession, Session, code_for, dump, error_responses, json
from meetbook.core.middleware import LOGGED_PATH
from meetbook.core.wire import IdParam
from meetbook.feeds import service
from meetbook.feeds.schemas import CalendarFeed
from meetbook.tables.feeds import EMPLOYEE, ROOM

router = APIRouter()

FEEDS = "Calendar feeds"
FEED_PATH = "/calendar-feeds/{secret}"
# Calendar apps poll; a minute's reuse spares the database a burst of them. Private: it is one person's calendar.
CACHING = {"Cache-Control": "private, max-age=60", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
# A feed's secret is token_urlsafe(32): 43 characters; anything far longer is not one.
MAX_SECRET = 128

OPENED = (
    "A new secret URL for the calendar feed; the previous URL (if any) stops working at once. The URL is shown "
    "only in this answer (the service keeps a hash of it). Subscribe to it in Outlook, Google or Apple Calendar."
)


async def _open(request: Request, session, owner: service.Owner, who: Principal, now) -> Response:
    await service.check_owner(session, owner, who)
    secret, row = await service.open_feed(session, owner, now)
    url = str(request.url_for("calendar_feed", secret=secret))
    body = CalendarFeed(url=url, created_at=row.created_at)
    return json(dump(body), status_code=201, headers={"Location": url, "Cache-Control": "no-store"})


async def _revoke(session, owner: service.Owner, who: Principal) -> Response:
    await service.check_owner(session, owner, who)
    await service.revoke_feed(session, owner)
    return Response(status_code=204)


@router.post(
    "/config/employees/{id}/calendar-feed", tags=[CONFIG], summary="Make a new calendar feed URL of an advisor's meetings",
    description=OPENED + " An admin, or the employee whose id or externalId is the token's subject.",
    status_code=201, response_model=CalendarFeed, responses=error_responses(403, 404, 409),
)
async def open_employee_feed(now: Now, request: Request, session: Session, who: Employee, id: IdParam):
    return await _open(request, session, service.Owner(EMPLOYEE, id), who, now)


@router.delete(
    "/config/employees/{id}/calendar-feed", tags=[CONFIG], summary="Revoke an advisor's calendar feed URL",
    description="The URL answers 404 from now on; calendars subscribed to it keep what they last fetched.",
    status_code=204, responses=error_responses(403, 404),
)
async def revoke_employee_feed(session: Session, who: Employee, id: IdParam):
    return await _revoke(session, service.Owner(EMPLOYEE, id), who)


@router.post(
    "/config/rooms/{id}/calendar-feed", tags=[CONFIG], summary="Make a new calendar feed URL of a room's meetings",
    description=OPENED + " For the branch's front desk.", status_code=201, response_model=CalendarFeed,
    responses=error_responses(403, 404, 409),
)
async def open_room_feed(now: Now, request: Request, session: Session, who: Admin, id: IdParam):
    return await _open(request, session, service.Owner(ROOM, id), who, now)


@router.delete(
    "/config/rooms/{id}/calendar-feed", tags=[CONFIG], summary="Revoke a room's calendar feed URL",
    description="The URL answers 404 from now on.", status_code=204, responses=error_responses(403, 404),
)
async def revoke_room_feed(session: Session, who: Admin, id: IdParam):
    return await _revoke(session, service.Owner(ROOM, id), who)


_NOT_FOUND = "No feed at this address: never made, revoked, or replaced by a newer URL"


@router.get(
    FEED_PATH,
    name="calendar_feed",
    tags=[FEEDS],
    summary="A calendar feed (RFC 5545): an advisor's or a room's meetings from 30 days back to the booking horizon",
    description=(
        "No bearer token: the secret in the URL is the credential. Each meeting has the UID and SEQUENCE of its "
        "`.ics` download; cancelled ones are `STATUS:CANCELLED`. Answers an `ETag`; a request with that value in "
        "`If-None-Match` gets `304 Not Modified` while nothing changed."
    ),
    response_class=Response,
    openapi_extra={
        # Read from the request, not declared as a parameter: nothing may refuse the request before the route
        # has kept its secret out of the log.
        "parameters": [{"name": "If-None-Match", "in": "header", "required": False, "description": "An ETag of this feed",
                        "schema": {"type": "string", "maxLength": 1000}}],
    },
    responses={
        200: {
            "description": "The calendar",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
            "headers": {"ETag": {"schema": {"type": "string"}}, "Cache-Control": {"schema": {"type": "string"}}},
        },
        304: {"description": "Not modified since the ETag sent in If-None-Match"},
        404: {"model": ErrorBody, "description": _NOT_FOUND,
              "content": {"application/json": {"example": {"code": code_for(404), "message": service.NO_FEED}}}},
    },
)
async def calendar_feed(now: Now, request: Request, session: ReadSession, secret: str):
    setattr(request.state, LOGGED_PATH, FEED_PATH)  # the secret is a credential: never in the log
    if len(secret) > MAX_SECRET:
        raise NotFound(service.NO_FEED)
    body = await service.feed_calendar(session, secret, now, request.app.state.settings.ical_uid_domain)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, **CACHING}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: `*`, or a list of tags compared weakly (a W/ prefix does not count)."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags
