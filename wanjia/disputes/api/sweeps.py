"""Screening sweep endpoints."""

from datetime import date, datetime

from ninja import Query, Schema
from ninja.pagination import paginate

from wanjia.core.schemas import (
    COMMON_ERRORS,
    Id,
    InputSchema,
    Paging,
    Rendered,
    Text,
)
from wanjia.estates.selectors import get_or_404

from .. import selectors, services
from .common import router

# operation ids as published before the router became a package (wanjia.api)
OPERATION_MODULE = "wanjia.disputes.api"


class SweepOut(Schema):
    id: int
    compound: int
    building: int
    building_name: str
    period_start: date
    period_end: date
    done_at: datetime | None
    found_nothing: bool
    note: str
    cases: int


def _sweep_out(s) -> dict:
    return {
        "id": s.pk,
        "compound": s.compound_id,
        "building": s.building_id,
        "building_name": s.building.name,
        "period_start": s.period_start,
        "period_end": s.period_end,
        "done_at": s.done_at,
        "found_nothing": s.found_nothing,
        "note": s.note,
        "cases": s.cases.count(),
    }


class SweepFilter(Schema):
    compound: Id | None = None
    mine: bool = False
    current: bool = True


@router.get("/sweeps", response={200: list[SweepOut], **COMMON_ERRORS})
@paginate(Paging)
def sweep_list(request, filters: Query[SweepFilter]):
    user = request.auth
    qs = selectors.sweeps_listed(
        user, mine=filters.mine, compound=filters.compound, current=filters.current
    )
    return Rendered(qs, _sweep_out)


class SweepDoneIn(InputSchema):
    note: Text(500) = ""


@router.post("/sweeps/{sweep_id}/complete", response={200: SweepOut, **COMMON_ERRORS})
def sweep_complete(request, sweep_id: Id, payload: SweepDoneIn | None = None):
    sweep = get_or_404(selectors.sweeps_visible_to(request.auth), pk=sweep_id)
    sweep = services.sweep_complete(
        actor=request.auth, sweep=sweep, note=payload.note if payload else ""
    )
    return _sweep_out(sweep)
