"""The figures endpoint (no personal data)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from wanjia.core.schemas import (
    COMMON_ERRORS,
    Date,
    Id,
)
from wanjia.estates.selectors import compounds_visible_to, get_or_404

from .. import selectors
from .common import router

# operation ids as published before the router became a package (wanjia.api)
OPERATION_MODULE = "wanjia.disputes.api"


class StatsFilter(Schema):
    compound: Id | None = None
    since: Date | None = None
    until: Date | None = None


class CategoryStat(Schema):
    category: str
    label: str
    opened: int
    resolved: int
    building_rate: float | None


class StatsOut(Schema):
    resolved: int
    building_rate: float | None = Field(..., description="小事不出楼栋: building ÷ resolved")
    compound_rate: float | None = Field(
        ..., description="大事不出小区: building or compound ÷ resolved"
    )
    median_days: float | None
    overdue: int
    open_red: int
    opened: int
    open_now: int
    satisfaction: float | None
    open_by_level: dict[str, int]
    by_category: list[CategoryStat]
    sweeps_planned: int
    sweeps_done: int


def figure_scope(user, compound_id: int | None):
    """The compounds whose figures to compute: 404 outside scope, 403 for a role
    that may not read figures."""
    allowed = selectors.figure_compounds(user)
    if compound_id is None:
        if not allowed.exists():
            raise PermissionDenied
        return allowed
    compound = get_or_404(compounds_visible_to(user), pk=compound_id)
    narrowed = selectors.figure_compound(allowed, compound)
    if narrowed is None:
        raise PermissionDenied
    return narrowed


@router.get("/stats", response={200: StatsOut, **COMMON_ERRORS})
def stats(request, filters: Query[StatsFilter]):
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationError({"since": _("开始日期不能晚于结束日期。")})
    compounds = figure_scope(request.auth, filters.compound)
    figures = selectors.figures(compounds, since=filters.since, until=filters.until)
    sweeps = selectors.sweep_completion(compounds)
    out = figures.as_api()
    out.update(
        by_category=figures.by_category,
        sweeps_planned=sweeps["planned"],
        sweeps_done=sweeps["done"],
    )
    return out
