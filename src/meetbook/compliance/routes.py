"""`GET /config/audit-log` and `DELETE /bookme/customers/{customerId}` (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from meetbook.auth.deps import Admin
from meetbook.compliance import service
from meetbook.compliance.schemas import AuditPage, Erasure
from meetbook.core.http import Now, Session, dump, error_responses, json
from meetbook.core.query import instant_range
from meetbook.core.wire import InstantParam

router = APIRouter()


@router.get(
    "/config/audit-log", tags=["Organization Configuration"], summary="Read the audit trail (admins)",
    description="Every change to a meeting and to the configuration, and every retention purge and erasure: who (token "
    "subject and scope), what (the changed fields before and after; customers' personal data and free text only as "
    "[redacted]), when and from which request. Oldest first; the rows are hash-chained (`meetbook audit verify`).",
    response_model=AuditPage, responses=error_responses(400, 403),
)
async def audit_log(
    session: Session, _who: Admin,
    entity: Annotated[str | None, Query(max_length=64, description="meetings, employees, organization_settings, ...")] = None,
    entity_id: Annotated[str | None, Query(alias="entityId", max_length=200)] = None,
    actor: Annotated[str | None, Query(max_length=200, description="The token subject that made the change")] = None,
    since: Annotated[InstantParam | None, Query(alias="from", description="Entries at or after")] = None,
    until: Annotated[InstantParam | None, Query(alias="to", description="Entries before")] = None,
    after: Annotated[int | None, Query(ge=0, le=2**62, description="The previous page's nextAfter")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):
    first, last = instant_range("from", since, "to", until)
    page = await service.read_log(session, entity=entity or None, entity_id=entity_id or None, actor=actor or None,
                                  since=first, until=last, after=after, limit=limit)
    return json(dump(page))


@router.delete(
    "/bookme/customers/{customerId}", tags=["BookMe"], summary="Erase a customer's personal data (admins)",
    description="Their meetings' names, e-mail, phone and free text are removed and the meetings kept anonymised for "
    "statistics; their holds are deleted; the outbox's copies of their meetings and the messages to them are scrubbed. "
    "Recorded in the audit trail. 404 when nothing of the customer is stored (also after an erasure).",
    response_model=Erasure, responses=error_responses(400, 403, 404),
)
async def erase_customer(
    now: Now, session: Session, _who: Admin, customerId: Annotated[str, Path(min_length=1, max_length=200)],  # noqa: N803
):
    return json(dump(await service.erase_customer(session, customerId, now)))
