"""The supervision API under /api/v1/supervision/, one router per area."""

from ninja import Router

from .credit.api import router as credit
from .exemplary.api import router as exemplary
from .inspections.api import router as inspections
from .rollups.api import router as rollups

router = Router(tags=["supervision"])
for area in (rollups, credit, inspections, exemplary):
    router.add_router("", area)
