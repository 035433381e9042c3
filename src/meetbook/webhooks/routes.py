"""/config/webhooks: subscriptions, their secrets and their delivery log (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response

from meetbook.auth.deps import Admin
from meetbook.catalog.admin.endpoints import CONFIG, PATCH_BODY
from meetbook.core import addresses
from meetbook.core.http import Now, ReadSession, Session, dump, error_responses, json
from meetbook.core.wire import IdParam
from meetbook.webhooks import service
from meetbook.webhooks.schemas import Webhook, WebhookChange, WebhookCreate, WebhookDelivery, WebhookWithSecret

router = APIRouter(tags=[CONFIG])
PATH = "/config/webhooks"
NO_STORE = {"Cache-Control": "no-store"}  # answers that show a secret


def _policy(request: Request) -> addresses.Policy:
    settings = request.app.state.settings
    return addresses.Policy.of(settings.environment, settings.webhook_allow_private)


@router.post(
    PATH, summary="Subscribe a URL to meeting and employee events (admins)", status_code=201,
    description="Returns the subscription with its signing `secret` (whsec_...), shown only here and on rotation. "
    "Deliveries are POSTed signed the Standard Webhooks way; see docs/webhooks.md. In production the URL must be "
    "https and reach a public address.",
    response_model=WebhookWithSecret, responses=error_responses(400, 403),
)
async def create_webhook(now: Now, request: Request, session: Session, _who: Admin, body: WebhookCreate):
    created = await service.create(session, body, _policy(request), now)
    return json(dump(created), status_code=201, headers={"Location": f"{PATH}/{created.id}", **NO_STORE})


@router.get(PATH, summary="List webhook subscriptions (admins)", response_model=list[Webhook], responses=error_responses(403))
async def list_webhooks(now: Now, session: ReadSession, _who: Admin):
    return json([dump(w) for w in await service.list_all(session, now)])


@router.get(PATH + "/{id}", summary="Get a webhook subscription (never its secret; admins)", response_model=Webhook,
            responses=error_responses(403, 404))
async def get_webhook(now: Now, session: ReadSession, _who: Admin, id: IdParam):
    return json(dump(await service.get(session, id, now)))


CHANGE_BODY = {
    "required": True,
    "content": {"application/json": {
        "schema": {"anyOf": [
            WebhookChange.model_json_schema(by_alias=True), *PATCH_BODY["content"]["application/json"]["schema"]["oneOf"],
        ]},
        "example": {"enabled": True},
    }},
}


@router.patch(
    PATH + "/{id}", summary="Change a webhook subscription: url, events, description, enabled (admins)",
    description="A merge (`{\"enabled\": true}` re-enables a disabled subscription) or an RFC 6902 JSON Patch on the "
    "shape GET shows. Disabling it stops its pending deliveries.",
    response_model=Webhook, openapi_extra={"requestBody": CHANGE_BODY}, responses=error_responses(400, 403, 404),
)
async def change_webhook(now: Now, request: Request, session: Session, _who: Admin, id: IdParam,
                         body: Annotated[Any, Body()] = None):
    return json(dump(await service.change(session, id, body, _policy(request), now)))


@router.delete(PATH + "/{id}", summary="Delete a webhook subscription; its pending deliveries stop (admins)", status_code=204,
               responses=error_responses(403, 404))
async def delete_webhook(now: Now, session: Session, _who: Admin, id: IdParam):
    await service.delete(session, id, now)
    return Response(status_code=204)


@router.post(
    PATH + "/{id}/rotate-secret", summary="Give a webhook a new signing secret (admins)",
    description="The new secret is shown only in this answer. For 24 hours every delivery carries signatures with "
    "both the new and the old secret, so the receiver can switch over without missing one.",
    response_model=WebhookWithSecret, responses=error_responses(403, 404),
)
async def rotate_webhook_secret(now: Now, session: Session, _who: Admin, id: IdParam):
    return json(dump(await service.rotate_secret(session, id, now)), headers=NO_STORE)


@router.get(
    PATH + "/{id}/deliveries", summary="A webhook's deliveries, newest first (admins)",
    description="Status, attempts, the last answer's status code and duration, the last error and the next attempt.",
    response_model=list[WebhookDelivery], responses=error_responses(400, 403, 404),
)
async def list_webhook_deliveries(
    session: ReadSession, _who: Admin, id: IdParam,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE, description="At most this many")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many of the newest")] = 0,
):
    return json([dump(d) for d in await service.deliveries(session, id, limit, offset)])


@router.post(
    PATH + "/{id}/deliveries/{deliveryId}/redeliver", summary="Send a delivery again, with the same webhook-id (admins)",
    description="A sent, failed or skipped delivery goes out again now, with three new days of retries. One still "
    "being attempted is a 409, as is one of a disabled webhook.",
    status_code=202, response_model=WebhookDelivery, responses=error_responses(403, 404, 409),
)
async def redeliver_webhook(now: Now, session: Session, _who: Admin, id: IdParam, deliveryId: IdParam):  # noqa: N803
    return json(dump(await service.redeliver(session, id, deliveryId, now)), status_code=202)
