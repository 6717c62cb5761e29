"""GET /api/v1/supervision/compounds/{id}/kpis?period=YYYY-MM (rollups only).

The regulator reads compounds within its regions, a company admin its
company's, a compound manager its own; any other id answers 404 like a missing
one. A bad period is a field error (422)."""

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema

from wanjia.core.models import Compound
from wanjia.core.schemas import COMMON_ERRORS, ErrorOut
from wanjia.core.scoping import can_anywhere, get_or_404

from . import access, selectors
from .models import Level
from .services import current_period, parse_period

router = Router(tags=["supervision"])


class KpiOut(Schema):
    code: str
    label: str
    value: float | None
    definition: str


class KpisOut(Schema):
    compound: int
    period: str
    kpis: list[KpiOut]


class PeriodQuery(Schema):
    period: str = ""


def visible_compounds(user):
    qs = access.compounds_of(user)
    regions = access.regions_of(user)
    if getattr(user, "is_superuser", False):
        return Compound.objects.all()
    if regions:
        from django.db.models import Q

        q = Q(pk__in=qs.values("pk"))
        for region in regions:
            q |= Q(community__path__startswith=region.path)
        return Compound.objects.filter(q)
    return qs


@router.get(
    "/compounds/{compound_id}/kpis",
    response={200: KpisOut, 422: ErrorOut, **COMMON_ERRORS},
    summary="小区监管指标",
)
def compound_kpis(request, compound_id: int, q: Query[PeriodQuery]):
    if not (access.supervises(request.auth) or can_anywhere(request.auth, "supervision.view")):
        raise PermissionDenied
    period = parse_period(q.period) if q.period else current_period()
    compound = get_or_404(visible_compounds(request.auth), pk=compound_id)
    return {
        "compound": compound.pk,
        "period": period,
        "kpis": selectors.kpis(Level.COMPOUND, compound.pk, period),
    }
