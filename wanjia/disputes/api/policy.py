"""The per-compound policy endpoints (time limits, follow-up, reopen)."""

from ninja import Schema

from wanjia.core.schemas import (
    COMMON_ERRORS,
    Id,
    InputSchema,
    Int,
)
from wanjia.estates.selectors import compounds_visible_to, get_or_404

from .. import services
from ..models import SweepPeriod
from .common import router
from .stats import figure_scope

# operation ids as published before the router became a package (wanjia.api)
OPERATION_MODULE = "wanjia.disputes.api"


class PolicyIO(Schema):
    building_days: int
    compound_days: int
    community_days: int
    street_days: int
    followup_days: int
    reopen_days: int
    sweep_period: str


def _days(name: str):
    """The bounds the service enforces, also in the schema (and so in the OpenAPI)."""
    return Int(*services.POLICY_FIELDS[name]) | None


class PolicyPatch(InputSchema):
    building_days: _days("building_days") = None
    compound_days: _days("compound_days") = None
    community_days: _days("community_days") = None
    street_days: _days("street_days") = None
    followup_days: _days("followup_days") = None
    reopen_days: _days("reopen_days") = None
    sweep_period: SweepPeriod | None = None


def _policy_out(p) -> dict:
    return {name: getattr(p, name) for name in PolicyIO.model_fields}


@router.get("/policy", response={200: PolicyIO, **COMMON_ERRORS})
def policy_detail(request, compound: Id):
    c = get_or_404(figure_scope(request.auth, compound), pk=compound)
    return _policy_out(services.policy_for(c))


@router.patch("/policy", response={200: PolicyIO, **COMMON_ERRORS})
def policy_update(request, compound: Id, payload: PolicyPatch):
    c = get_or_404(compounds_visible_to(request.auth), pk=compound)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return _policy_out(services.policy_update(actor=request.auth, compound=c, data=data))
