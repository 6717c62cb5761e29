"""The authority's wall screen (监管大屏): the region's KPIs with their trend,
its compounds coloured by their company's credit grade, the company and
compound rankings and the open emergencies — refreshed every minute. Reads
rollups, stored scores and the emergency intent only."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import StrIndex, Substr
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import intents
from wanjia.core.models import Region

from ..credit import selectors as credit
from ..credit.models import CreditScore
from ..rollups import selectors as rollups
from ..rollups.services import current_period, periods_back, previous_period
from ..rollups.views import LEVEL_OF_REGION
from . import access
from .charts import spark, trend

# A screen shows this many compound cells legibly. An area with more (a whole
# city holds thousands) shows a tile per district or street instead, with its
# compounds counted by grade, and a click goes down one level.
WALL_CELLS = 120
GRADES = ("AAA", "AA", "A", "B", "C")


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


def top_and_bottom(rows: list, n: int = 5) -> tuple[list, list]:
    """The first ``n`` and the last ``n`` rows, never one row in both."""
    return rows[:n], rows[max(n, len(rows) - n) :]


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


def _compound_cells(region, area, grades) -> list[dict]:
    compounds = list(
        area.select_related("company", "community").order_by("community__path", "name")
    )
    active = intents.ask("emergency.affected_compounds", [c.pk for c in compounds], default=set())
    return [
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


def _area_tiles(region, children, area, grades) -> list[dict]:
    """A tile per child region: its compounds by their company's grade and how
    many an open emergency covers. Counted in the database, a row per child
    and grade: a city's two thousand compounds are never read one by one
    (bench-city: reading them was most of the live part at a million homes)."""
    active = intents.ask("emergency.affected_compounds", area.values("pk"), default=set())
    rest = Substr("community__path", len(region.path) + 1)
    by_grade = [
        When(company_id__in=[c for c, g in grades.items() if g == grade], then=Value(grade))
        for grade in GRADES
    ]
    rows = (
        area.order_by()
        .annotate(
            head=Substr(rest, 1, StrIndex(rest, Value("/")) - 1),
            grade=Case(*by_grade, default=Value("—"), output_field=CharField()),
        )
        .values_list("head", "grade")
        .annotate(n=Count("pk"), alerts=Count("pk", filter=Q(pk__in=list(active))))
    )
    by_child = {
        r.pk: {"region": r, "n": 0, "alerts": 0, "grades": dict.fromkeys((*GRADES, "—"), 0)}
        for r in children
    }
    for head, grade, n, alerts in rows:
        tile = by_child.get(int(head)) if head.isdigit() else None
        if tile is None:
            continue
        tile["n"] += n
        tile["grades"][grade] += n
        tile["alerts"] += alerts
    return [
        {
            "name": t["region"].name,
            "url": f"{reverse('supervision_wall')}?area={t['region'].pk}",
            "n": t["n"],
            "alerts": t["alerts"],
            "grades": [
                {
                    "grade": g,
                    "css": "none" if g == "—" else g.lower(),
                    "n": n,
                    "pct": round(100 * n / t["n"], 1),
                }
                for g, n in t["grades"].items()
                if n
            ],
        }
        for t in by_child.values()
    ]


@login_required
def wall(request):
    region = _region(request)
    period = current_period()
    if not rollups.has_period(period):  # the first hours of a month: last month's
        period = previous_period(period)
    grades = dict(CreditScore.objects.filter(period=period).values_list("company_id", "grade"))
    open_events = intents.ask("emergency.open_events", request.user, default=[])
    area = rollups.area_compounds(region)
    children = list(Region.objects.filter(parent=region).order_by("path"))
    if children and area.count() > WALL_CELLS:
        grid, tiles = [], _area_tiles(region, children, area, grades)
        graded = [(g["grade"], g["n"]) for t in tiles for g in t["grades"]]
    else:
        grid, tiles = _compound_cells(region, area, grades), []
        graded = [(c["grade"] or "—", 1) for c in grid]
    counts = {}
    for grade, n in graded:
        counts[grade] = counts.get(grade, 0) + n
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
        *top_and_bottom(company_rows),
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
        "tiles": tiles,
        "grade_counts": [
            {
                "grade": g if g != "—" else _("未评级"),
                "css": "none" if g == "—" else g.lower(),
                "n": counts[g],
            }
            for g in (*GRADES, "—")
            if g in counts
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
