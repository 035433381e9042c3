"""An advisor's calendar connection: save, read its state, remove, sync now."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from meetbook.auth.deps import Employee
from meetbook.calendarsync import service
from meetbook.calendarsync.schemas import CalendarConnection, CalendarConnectionIn
from meetbook.catalog.admin.endpoints import CONFIG
from meetbook.core.http import Now, Session, dump, error_responses, json
from meetbook.core.wire import IdParam

router = APIRouter()

PATH = "/config/employees/{id}/calendar-connection"
WHO = " An admin, or the employee whose id or externalId is the token's subject."
NO_STORE = {"Cache-Control": "no-store"}


@router.put(
    PATH, tags=[CONFIG], summary="Connect an advisor's own calendar (CalDAV)",
    description="The advisor's events from now to the booking horizon block their slots (docs/calendar-sync.md says how an "
    "event says ExtraOpen or WorkingFromElsewhere), and their meetings are written into the calendar. The password is stored "
    "encrypted and never shown again. The calendar is read at the next sync round (MEETBOOK_CALENDAR_SYNC_SECONDS), or at "
    "once with POST .../calendar-connection/sync. Replacing a connection keeps its busy time until the new calendar is read."
    + WHO,
    response_model=CalendarConnection, responses={201: {"model": CalendarConnection, "description": "Connected"},
                                                  **error_responses(400, 403, 404)},
)
async def put_connection(now: Now, request: Request, session: Session, who: Employee, id: IdParam, body: CalendarConnectionIn):
    row, created = await service.save_connection(session, request.app.state.settings, id, body, who, now)
    return json(dump(service.connection_out(row)), status_code=201 if created else 200, headers=NO_STORE)


@router.get(
    PATH, tags=[CONFIG], summary="An advisor's calendar connection and how its syncs go",
    description="Last sync, last error, whether it is stale (3 failed syncs in a row), events seen; never the password." + WHO,
    response_model=CalendarConnection, responses=error_responses(403, 404),
)
async def get_connection(session: Session, who: Employee, id: IdParam):
    return json(dump(service.connection_out(await service.connection_of(session, id, who))), headers=NO_STORE)


@router.delete(
    PATH, tags=[CONFIG], summary="Disconnect an advisor's calendar",
    description="The connection and the busy time it brought are removed (time pushed through POST /bookme/time-slots "
    "stays); meetings already written into the calendar stay there." + WHO,
    status_code=204, responses=error_responses(403, 404),
)
async def delete_connection(session: Session, who: Employee, id: IdParam):
    await service.remove_connection(session, id, who)
    return Response(status_code=204)


@router.post(
    PATH + "/sync", tags=[CONFIG], summary="Read an advisor's calendar now",
    description="Syncs at once and answers the connection's state after it: a calendar that cannot be read answers 200 "
    "with lastError set (its last known busy time is kept)." + WHO,
    response_model=CalendarConnection, responses=error_responses(403, 404),
)
async def sync_connection(request: Request, who: Employee, id: IdParam):
    state = request.app.state
    return json(dump(await service.sync_now(state.sessions, state.settings, state.clock, id, who)), headers=NO_STORE)
