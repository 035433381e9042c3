"""The tables layer: every ORM row (configuration, holds and claims, meetings, calendar entries),
the resource keys of claims, and the claim reads and writes the features share.

Importing it registers every table with `Base.metadata` (Alembic and the tests need them all).
"""

from meetbook.core import idempotency  # noqa: F401  (its table lives with it in the core)
from meetbook.tables import audit, calendar, catalog, claims, feeds, meetings, outbox, webhooks  # noqa: F401
