"""/bookme/meetings/{id}/notifications: what a meeting's e-mails did (employees)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from meetbook.auth.deps import Employee
from meetbook.core.http import Now, ReadSession, Session, dump, error_responses, json
from meetbook.core.wire import IdParam
from meetbook.notifications import service
from meetbook.notifications.schemas import Notification

router = APIRouter(tags=["BookMe"])


def _domain(request: Request) -> str:
    return request.app.state.settings.message_domain


@router.get(
    "/bookme/meetings/{id}/notifications",
    summary="The meeting's e-mails: to whom, what, when, status, attempts and the last error (employees)",
    response_model=list[Notification],
    responses=error_responses(403, 404),
)
async def list_notifications(request: Request, session: ReadSession, _who: Employee, id: IdParam):
    return json([dump(n) for n in await service.list_notifications(session, id, _domain(request))])


@router.post(
    "/bookme/meetings/{id}/notifications/{notificationId}/resend",
    summary="Send a failed (or sent) notification again, with the same Message-ID (employees)",
    status_code=202,
    response_model=Notification,
    responses=error_responses(403, 404, 409),
)
async def resend_notification(now: Now, request: Request, session: Session, _who: Employee, id: IdParam, notificationId: IdParam):  # noqa: N803
    notification = await service.resend(session, id, notificationId, now, _domain(request))
    return json(dump(notification), status_code=202)
