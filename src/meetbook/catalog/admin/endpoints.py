"""Route builders shared by the configuration API: the same create, patch, delete and read routes
for every entity, so each entity's router is a few lines.

No `from __future__ import annotations` here: the generated routes annotate their body with the
entity's schema, which FastAPI must see as a class, not as a string naming a local variable.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response

from meetbook.auth.deps import Admin, Employee, SignedIn
from meetbook.catalog.admin import crud as admin_crud
from meetbook.catalog.admin.entity import Entity
from meetbook.core import idempotency
from meetbook.core.http import IdempotencyKey, Now, Session, dump, error_responses, json
from meetbook.core.wire import IdParam

CONFIG = "Organization Configuration"

PATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"type": "array", "items": {"$ref": "#/components/schemas/PatchOperation"}},
                    {"$ref": "#/components/schemas/PatchOperation"},
                ]
            },
            "example": [{"op": "replace", "path": "/name", "value": "New name"}],
        }
    },
}
PATCH_TEXT = (
    "An RFC 6902 JSON Patch applied to the object as GET shows it; the result is validated as a whole "
    "(an invalid result is a 400 and nothing changes)."
)

Patch = Annotated[Any, Body()]


def created(content: Any, location: str) -> Any:
    return json(content, status_code=201, headers={"Location": location})


def writes(router: APIRouter, spec: Entity, tag: str = CONFIG) -> None:
    """POST the collection; PATCH and DELETE one item: admin scope."""
    schema, slug, kind = spec.schema, spec.kind.replace(" ", "_"), spec.kind

    @router.post(
        spec.path, name=f"create_{slug}", tags=[tag], summary=f"Create a {kind}", status_code=201,
        description=f"Returns the new {kind} with its id and a Location header. A client-chosen `id` (a UUID) is kept; "
        "one already in use is a 409. `Idempotency-Key` makes a retry return the first answer.",
        response_model=schema, responses=error_responses(400, 403, 404, 409, 413),
    )
    async def create(now: Now, request: Request, session: Session, who: Admin, body: schema, _key: IdempotencyKey = None):
        async def produce():
            new = await admin_crud.create(session, spec, body, now)
            return created(dump(new), f"{spec.path}/{new.id}")

        return await idempotency.once(request, session, who.subject, produce)

    @router.patch(
        spec.path + "/{id}", name=f"patch_{slug}", tags=[tag], summary=f"Change a {kind} (JSON Patch)",
        description=PATCH_TEXT, response_model=schema, openapi_extra={"requestBody": PATCH_BODY},
        responses=error_responses(400, 403, 404, 409),
    )
    async def patch(now: Now, session: Session, _who: Admin, id: IdParam, body: Patch = None):
        return json(dump(await admin_crud.patch(session, spec, id, body, now)))

    @router.delete(
        spec.path + "/{id}", name=f"delete_{slug}", tags=[tag], summary=f"Delete a {kind}", status_code=204,
        description=f"Refused with 409, naming what still refers to the {kind}, while anything does.",
        responses=error_responses(403, 404, 409),
    )
    async def remove(now: Now, session: Session, _who: Admin, id: IdParam):
        await admin_crud.delete(session, spec, id, now)
        return Response(status_code=204)


def reads(router: APIRouter, spec: Entity, *order, scope: str = "employee", listing: bool = True, tag: str = CONFIG) -> None:
    """GET the collection (unless `listing` is off) and one item, for the given scope."""
    schema, slug, kind = spec.schema, spec.kind.replace(" ", "_"), spec.kind
    who_type = Employee if scope == "employee" else SignedIn

    if listing:
        @router.get(spec.path, name=f"list_{slug}", tags=[tag], summary=f"List {kind}s", response_model=list[schema],
                    responses=error_responses(403))
        async def list_all(session: Session, _who: who_type):
            return json([dump(x) for x in await admin_crud.list_all(session, spec, *order)])

    @router.get(spec.path + "/{id}", name=f"get_{slug}", tags=[tag], summary=f"Get a {kind}", response_model=schema,
                responses=error_responses(403, 404))
    async def get_one(session: Session, _who: who_type, id: IdParam):
        return json(dump(await admin_crud.get(session, spec, id)))
