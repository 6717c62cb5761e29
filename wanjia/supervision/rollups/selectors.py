"""Reads of the rollups (never of the modules' tables). Other areas (the wall
screen) call these:

- ``kpis(level, unit_id, period)`` -> [{"code", "label", "short", "value",
  "display", "definition", "better"}] for one unit and month;
- ``series(level, unit_id, code, periods)`` -> [value or None per period];
- ``table(period, level, unit_ids)`` -> {unit_id: {code: value}};
- ``compound_ranking(period, region=None)`` -> [{"rank", "compound_id", "name",
  "company", "value", "move"}], best first (the composite index): every
  compound, for the exports and the wall;
- ``ranking_page(period, region, number)`` -> one page of that ranking (50
  rows) with the area's top and bottom five, read with ordered, limited
  queries: its cost does not grow with the number of compounds in the area;
- ``area_units(region)`` -> the level and units one step below a region."""

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Rank

from wanjia.core.models import Company, Compound, Region

from . import kpis as kpi_defs
from .models import Level, RankPlace, Rollup
from .services import previous_period

PER_PAGE = 50
CHILD_LEVEL = {"city": Level.DISTRICT, "district": Level.STREET, "street": Level.COMPOUND}


def table(period: str, level: str, unit_ids) -> dict[int, dict[str, float | None]]:
    out: dict[int, dict[str, float | None]] = {u: {} for u in unit_ids}
    for unit, code, value in Rollup.objects.filter(
        period=period, level=level, unit_id__in=list(unit_ids)
    ).values_list("unit_id", "code", "value"):
        out.setdefault(unit, {})[code] = value
    return out


def kpis(level: str, unit_id: int, period: str) -> list[dict]:
    values = table(period, level, [unit_id]).get(unit_id, {})
    return [
        {
            "code": k.code,
            "label": str(f.label),
            "short": str(k.short),
            "value": values.get(k.code),
            "display": kpi_defs.display(f, values.get(k.code)),
            "definition": str(f.note),
            "better": f.better,
        }
        for k, f in kpi_defs.kpis()
    ]


def series(level: str, unit_id: int, code: str, periods: list[str]) -> list[float | None]:
    found = dict(
        Rollup.objects.filter(
            level=level, unit_id=unit_id, code=code, period__in=periods
        ).values_list("period", "value")
    )
    return [found.get(p) for p in periods]


def has_period(period: str) -> bool:
    # ordered as the (period, level, code) index, so the planner walks it: with
    # few months stored it scanned the table for the month's first row instead
    # (7 ms at a million households: exists() drops the ordering)
    first = Rollup.objects.filter(period=period).order_by("period", "level", "code")
    return bool(first.values_list("pk", flat=True)[:1])


def area_compounds(region: Region | None):
    qs = Compound.objects.all()
    if region is not None:
        qs = qs.filter(community__path__startswith=region.path)
    return qs


def area_units(region: Region) -> tuple[str, list]:
    """The level below ``region`` and its units (regions, or compounds under a street)."""
    level = CHILD_LEVEL.get(region.kind, Level.COMPOUND)
    if level == Level.COMPOUND:
        units = list(area_compounds(region).select_related("company").order_by("name", "pk"))
    else:
        units = list(Region.objects.filter(parent=region).order_by("path"))
    return level, units


def area_companies(region: Region | None):
    """The companies that manage a compound of the area, by name (a queryset:
    the page shows them a page at a time, the export all)."""
    ids = area_compounds(region).values("company_id")
    return Company.objects.filter(pk__in=ids).order_by("name", "pk")


def compound_ranking(period: str, region: Region | None = None) -> list[dict]:
    compounds = {c.pk: c for c in area_compounds(region).select_related("company").order_by("pk")}
    now = _ranked(period, compounds)
    before = {r["compound_id"]: r["rank"] for r in _ranked(previous_period(period), compounds)}
    for row in now:
        was = before.get(row["compound_id"])
        row["move"] = None if was is None else was - row["rank"]
    return now


def _ranked(period: str, compounds: dict) -> list[dict]:
    rows = [
        (value, cid)
        for cid, value in Rollup.objects.filter(
            period=period,
            level=Level.COMPOUND,
            code=kpi_defs.INDEX,
            unit_id__in=list(compounds),
            value__isnull=False,
        ).values_list("unit_id", "value")
    ]
    rows.sort(key=lambda r: (-r[0], compounds[r[1]].name))
    out, rank, last = [], 0, None
    for n, (value, cid) in enumerate(rows, start=1):
        if value != last:
            rank, last = n, value
        c = compounds[cid]
        out.append(
            {
                "rank": rank,
                "compound_id": cid,
                "name": c.name,
                "company": c.company.name,
                "company_id": c.company_id,
                "value": value,
            }
        )
    return out


def _index_rows(period: str, region: Region | None):
    """The area's compounds' composite index rows of ``period``, each with its
    competition rank (``place``: ties share it, the next skips) and the
    compound's name; ordered best first, ties by name."""
    return (
        Rollup.objects.filter(
            period=period,
            level=Level.COMPOUND,
            code=kpi_defs.INDEX,
            value__isnull=False,
            unit_id__in=area_compounds(region).values("pk"),
        )
        .annotate(
            place=Window(Rank(), order_by=F("value").desc()),
            name=Subquery(Compound.objects.filter(pk=OuterRef("unit_id")).values("name")[:1]),
        )
        .order_by("-value", "name", "unit_id")
    )


def _places(period: str, region: Region | None, unit_ids: list[int]) -> dict[int, int]:
    """The rank of each of ``unit_ids`` in the area's ranking of ``period``:
    the window is computed over the whole area, then only these rows leave
    the database (the filter must wrap the window, not precede it)."""
    if not unit_ids:
        return {}
    inner, params = (
        _index_rows(period, region).order_by().values("unit_id", "place").query.sql_with_params()
    )
    marks = ", ".join(["%s"] * len(unit_ids))
    with connection.cursor() as cursor:
        # the ORM's own SQL with its parameters apart, and placeholders: no input in the text
        cursor.execute(
            f'SELECT "unit_id", "place" FROM ({inner}) ranked WHERE "unit_id" IN ({marks})',  # noqa: S608
            [*params, *unit_ids],
        )
        return {int(unit): int(place) for unit, place in cursor.fetchall()}


STORED_KINDS = {"city", "district", "street"}  # the regions the job writes places for


def _dicts(found: list[tuple[int, int, float, str | None]], compounds: dict) -> list[dict]:
    """(compound id, rank, value, name or None) -> rows as compound_ranking's."""
    out = []
    for cid, rank, value, name in found:
        c = compounds.get(cid)
        out.append(
            {
                "rank": rank,
                "compound_id": cid,
                "name": name if name is not None else (c.name if c else "—"),
                "company": c.company.name if c else "",
                "company_id": c.company_id if c else None,
                "value": value,
            }
        )
    return out


def _stored(period: str, region: Region | None) -> bool:
    return (
        region is not None
        and region.kind in STORED_KINDS
        and RankPlace.objects.filter(period=period).exists()
    )


def _stored_page(period, region, number, per_page):
    """From the job's places: the page, the top and the bottom five are
    ranges of positions, read in one query on the index."""
    places = RankPlace.objects.filter(period=period, region_id=region.pk).order_by("position")
    paginator = Paginator(places, per_page)
    paginator.count = places.order_by("-position").values_list("position", flat=True).first() or 0
    number = paginator.validate_number(number)
    start, total = (number - 1) * per_page, paginator.count
    wanted = Q(position__gt=start, position__lte=start + per_page) | Q(position__lte=5)
    if total > 5:
        wanted |= Q(position__gt=total - 5)
    found = {p.position: (p.compound_id, p.rank, p.value, None) for p in places.filter(wanted)}

    def span(first, last):
        return [found[n] for n in range(first, last + 1) if n in found]

    shown = span(start + 1, min(start + per_page, total))
    top = span(1, min(5, total))
    bottom = span(total - 4, total) if total > 5 else []
    return paginator, number, shown, top, bottom


def _window_page(period, region, number, per_page):
    """Without stored places (a month rolled up before they existed, an area
    below a street): ranked by the database's window function, then limited."""
    ranked = _index_rows(period, region)
    paginator = Paginator(ranked, per_page)
    page = paginator.page(number)

    def rows(qs):
        return [(r.unit_id, r.place, r.value, r.name) for r in qs]

    shown = rows(page.object_list)
    top = shown[:5] if number == 1 else rows(ranked[:5])
    total = paginator.count
    bottom = rows(ranked.order_by("value", "-name", "-unit_id")[:5])[::-1] if total > 5 else []
    return paginator, number, shown, top, bottom


def ranking_page(period: str, region: Region | None, number: int, per_page: int = PER_PAGE):
    """Page ``number`` (from 1) of the area's compound ranking, plus the area's
    top five and bottom five (the bottom only when there are more than five),
    each row as in :func:`compound_ranking` (with ``move``). Raises
    ``django.core.paginator.EmptyPage`` for a page past the last."""
    pick = _stored_page if _stored(period, region) else _window_page
    paginator, number, shown, top, bottom = pick(period, region, number, per_page)
    ids = sorted({r[0] for r in (*shown, *top, *bottom)})
    compounds = Compound.objects.filter(pk__in=ids).select_related("company").in_bulk()
    before_period = previous_period(period)
    if _stored(before_period, region):
        before = dict(
            RankPlace.objects.filter(
                period=before_period, region_id=region.pk, compound_id__in=ids
            ).values_list("compound_id", "rank")
        )
    else:
        before = _places(before_period, region, ids)
    lists = []
    for found in (shown, top, bottom):
        out = _dicts(found, compounds)
        for row in out:
            was = before.get(row["compound_id"])
            row["move"] = None if was is None else was - row["rank"]
        lists.append(out)
    page = Page(lists[0], number, paginator)
    return {
        "page": page,
        "rows": lists[0],
        "top": lists[1],
        "bottom": lists[2],
        "total": paginator.count,
    }
