"""The configuration API's writes (admin scope) and its reads of internal configuration (employee scope).

Every entity of the bank definition file can be created, patched (RFC 6902) and deleted here; the
use cases live in `catalog.admin_*`, these routers only parse and answer.
"""

from __future__ import annotations

from fastapi import APIRouter

from meetbook.catalog.admin.customer_types import CUSTOMER_TYPES
from meetbook.catalog.admin.employee_routes import router as people_router
from meetbook.catalog.admin.endpoints import reads, writes
from meetbook.catalog.admin.group_routes import router as groups_router
from meetbook.catalog.admin.locations import LOCATIONS
from meetbook.catalog.admin.message_routes import router as messages_router
from meetbook.catalog.admin.rooms import ROOMS
from meetbook.catalog.admin.settings_routes import router as settings_router
from meetbook.catalog.admin.topics import TOPICS

router = APIRouter()
writes(router, CUSTOMER_TYPES)
writes(router, TOPICS, tag="BookMe")
writes(router, ROOMS)
reads(router, LOCATIONS, scope="customer", listing=False)  # the list is a seed read in catalog.routes
writes(router, LOCATIONS)

for _sub in (people_router, groups_router, settings_router, messages_router):
    router.include_router(_sub)
