"""The authority's wall screen (监管大屏): the region's KPIs with their trend,
its compounds coloured by their company's credit grade, the company and
compound rankings and the open emergencies — refreshed every minute. Reads
rollups, stored scores and the emergency intent only."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from wanjia.core import intents
from wanjia.core.models import Region

from ..credit import selectors as credit
from ..credit.models import CreditScore
from ..rollups import selectors as rollups
from ..rollups.services import current_period, periods_back, previous_period
from ..rollups.views import LEVEL_OF_REGION
from . import access
from .charts import spark, trend


def _region(request):
    regions = access.wall_regions(request.user)
    if not regions and not getattr(request.user, "is_superuser", False):
        raise PermissionDenied
    raw = request.GET.get("area", "")
    if raw.isdigit():
        found = Region.objects.filter(pk=int(raw)).first()
        if found and (
            getattr(request.user, "is_superuser", False)
            or any(found.path.startswith(r.path) for r in regions)
        ):
            return found
    return regions[0] if regions else Region.objects.filter(parent__isnull=True).first()


def _kpi_tiles(region, period) -> list[dict]:
    level = LEVEL_OF_REGION.get(region.kind, "street")
    months = periods_back(period, 12)
    tiles = []
    for k in rollups.kpis(level, region.pk, period):
        values = rollups.series(level, region.pk, k["code"], months)
        before = values[-2] if len(values) > 1 else None
        arrow, cls = trend(
            _scaled(k["code"], k["value"]), _scaled(k["code"], before), better=k["better"]
        )
        tiles.append(
            {**k, "label": k["short"], "trend": arrow, "trend_class": cls, "spark": spark(values)}
        )
    return tiles


def _scaled(code, value):
    """Ratios move in percentage points on the wall."""
    from wanjia.core import figures

    if value is None:
        return None
    f = {x.key: x for x in figures.registered()}.get(code)
    return value * 100 if f is not None and f.kind == figures.RATIO else value


def _ranks(top, bottom, *, value, url) -> tuple[list, list]:
    def row(r):
        move = r.get("move")
        return {
            "rank": r["rank"],
            "name": r["name"],
            "value": r[value],
            "url": url(r),
            "move": "" if not move else (f"▲{move}" if move > 0 else f"▼{-move}"),
            "move_class": "" if not move else ("up" if move > 0 else "down"),
        }

    return [row(r) for r in top], [row(r) for r in bottom]


@login_required
def wall(request):
    region = _region(request)
    period = current_period()
    if not rollups.has_period(period):  # the first hours of a month: last month's
        period = previous_period(period)
    compounds = list(
        rollups.area_compounds(region)
        .select_related("company", "community")
        .order_by("community__path", "name")
    )
    grades = dict(CreditScore.objects.filter(period=period).values_list("company_id", "grade"))
    open_events = intents.ask("emergency.open_events", request.user, default=[])
    active = intents.ask("emergency.affected_compounds", [c.pk for c in compounds], default=set())
    grid = [
        {
            "name": c.name,
            "short": c.name[:4],
            "company": c.company.name,
            "grade": grades.get(c.company_id, ""),
            "url": f"{reverse('supervision_kpis')}?area={c.community.parent_id or region.pk}",
            "emergency": c.pk in active,
        }
        for c in compounds
    ]
    counts = {}
    for cell in grid:
        counts[cell["grade"] or "—"] = counts.get(cell["grade"] or "—", 0) + 1
    company_rows = [
        {
            "rank": r["rank"],
            "name": r["company"].name,
            "score": r["row"].score,
            "company_id": r["company"].pk,
            "move": r["movement"],
        }
        for r in credit.ranking(request.user, period, region=region)
    ]
    company_top, company_bottom = _ranks(
        company_rows[:5],
        company_rows[-5:] if len(company_rows) > 5 else [],
        value="score",
        url=lambda r: reverse("credit_company", args=[r["company_id"]]) + f"?period={period}",
    )
    # the area's five best and worst from the stored ranking: not every compound
    places = rollups.ranking_page(period, region, 1)
    compound_top, compound_bottom = _ranks(
        places["top"],
        places["bottom"],
        value="value",
        url=lambda r: f"{reverse('supervision_ranking')}?area={region.pk}&period={period}",
    )
    ctx = {
        "area": region,
        "area_name": region.name,
        "period": period,
        "now": timezone.localtime(),
        "kpis": _kpi_tiles(region, period),
        "grid": grid,
        "grade_counts": [
            {"grade": g, "n": counts[g]} for g in ("AAA", "AA", "A", "B", "C", "—") if g in counts
        ],
        "company_top": company_top,
        "company_bottom": company_bottom,
        "compound_top": compound_top,
        "compound_bottom": compound_bottom,
        "events": open_events,
    }
    if request.GET.get("part") == "live":
        return render(request, "supervision/wall/_live.html", ctx)
    return render(request, "supervision/wall/wall.html", ctx)
