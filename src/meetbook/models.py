"""Every table, imported in one place for Alembic and for tests that build schemas."""

from meetbook.catalog.models import *  # noqa: F403
from meetbook.db import Base  # noqa: F401
from meetbook.meetings.models import *  # noqa: F403
from meetbook.reservations.models import *  # noqa: F403
from meetbook.slots.models import *  # noqa: F403
