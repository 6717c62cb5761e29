"""Reads of the rollups (never of the modules' tables). Other areas (the wall
screen) call these:

- ``kpis(level, unit_id, period)`` -> [{"code", "label", "short", "value",
  "display", "definition", "better"}] for one unit and month;
- ``series(level, unit_id, code, periods)`` -> [value or None per period];
- ``table(period, level, unit_ids)`` -> {unit_id: {code: value}};
- ``compound_ranking(period, region=None)`` -> [{"rank", "compound_id", "name",
  "company", "value", "move"}], best first (the composite index);
- ``area_units(region)`` -> the level and units one step below a region."""

from wanjia.core.models import Company, Compound, Region

from . import kpis as kpi_defs
from .models import Level, Rollup
from .services import previous_period

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
    return Rollup.objects.filter(period=period).exists()


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


def area_companies(region: Region | None) -> list[Company]:
    ids = area_compounds(region).values("company_id")
    return list(Company.objects.filter(pk__in=ids).order_by("name", "pk"))


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
