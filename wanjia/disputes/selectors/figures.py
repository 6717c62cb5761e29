"""The disputes figures: the 90-day headline figures, heat table, rankings, red cases
and what the regulator's table reads (one grouped query per figure for many
compounds)."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from wanjia.core.models import Compound
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import can, scope_q
from wanjia.estates.selectors import compounds_visible_to

from ..models import (
    DONE_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseParty,
    Category,
    Level,
    Risk,
    Sweep,
)
from .cases import cases_visible_to, open_cases


def figure_compounds(user):
    """Compounds whose figures ``user`` may read."""
    roles = CAPABILITIES["disputes.figures"]
    return Compound.objects.filter(scope_q(user, roles=roles, compound="id"))


def _window(since: date | None, until: date | None):
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tz) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, tz) if until else None
    return start, end


def _in_window(qs, field_name: str, start, end):
    if start:
        qs = qs.filter(**{f"{field_name}__gte": start})
    if end:
        qs = qs.filter(**{f"{field_name}__lt": end})
    return qs


@dataclass
class Figures:
    """The headline figures. Rates are None when nothing was resolved."""

    resolved: int
    building_rate: float | None
    compound_rate: float | None
    median_days: float | None
    overdue: int
    open_red: int
    opened: int = 0
    open_now: int = 0
    satisfaction: float | None = None
    open_by_level: dict = field(default_factory=dict)
    by_category: list = field(default_factory=list)

    def as_api(self) -> dict:
        keys = ("resolved", "building_rate", "compound_rate", "median_days", "overdue")
        out = {k: getattr(self, k) for k in keys}
        out.update(
            open_red=self.open_red,
            opened=self.opened,
            open_now=self.open_now,
            satisfaction=self.satisfaction,
            open_by_level=self.open_by_level,
        )
        return out


def figures(
    compounds, *, since: date | None = None, until: date | None = None, now: datetime | None = None
) -> Figures:
    """Figures over ``compounds`` (a queryset) for cases resolved (rates, median)
    or opened (overdue, categories) in [since, until]; open counts are as of now.

    - 小事不出楼栋 = resolved at building level ÷ resolved;
    - 大事不出小区 = resolved at building or compound level ÷ resolved;
    - median days = median of (resolved − opened) in days;
    - overdue = cases that ran past a level's time limit (escalated on timeout)
      or are still open past their deadline."""
    now = now or timezone.now()
    start, end = _window(since, until)
    cases = Case.objects.filter(compound__in=compounds)
    resolved_qs = _in_window(cases.filter(status__in=DONE_STATUSES), "resolved_at", start, end)
    by_level = dict(resolved_qs.values_list("resolved_level").annotate(n=Count("pk")).order_by())
    resolved = sum(by_level.values())
    low = by_level.get(Level.BUILDING, 0)
    mid = low + by_level.get(Level.COMPOUND, 0)
    durations = [
        (r - o).total_seconds() / 86400
        for o, r in resolved_qs.values_list("opened_at", "resolved_at")
    ]
    opened_qs = _in_window(cases, "opened_at", start, end)
    open_qs = cases.filter(status__in=OPEN_STATUSES)
    satisfaction = CaseParty.objects.filter(
        case__in=resolved_qs, satisfaction__isnull=False
    ).aggregate(a=Avg("satisfaction"))["a"]
    return Figures(
        resolved=resolved,
        building_rate=round(low / resolved, 4) if resolved else None,
        compound_rate=round(mid / resolved, 4) if resolved else None,
        median_days=round(statistics.median(durations), 1) if durations else None,
        overdue=opened_qs.filter(
            Q(timeouts__gt=0) | Q(status__in=OPEN_STATUSES, due_at__lt=now)
        ).count(),
        open_red=open_qs.filter(risk=Risk.RED).count(),
        opened=opened_qs.count(),
        open_now=open_qs.count(),
        satisfaction=round(satisfaction, 2) if satisfaction is not None else None,
        open_by_level=dict(open_qs.values_list("level").annotate(n=Count("pk")).order_by()),
        by_category=_by_category(opened_qs, resolved_qs),
    )


def resolution_rates(compounds, *, since: date) -> tuple[float | None, float | None]:
    """小事不出楼栋 and 大事不出小区 since ``since`` (as in :func:`figures`), in
    one grouped statement: the regulator's workbench card shows these two,
    not the dozen statements of the whole figures page (bench-city)."""
    return _level_rates(Case.objects.filter(compound__in=compounds), *_window(since, None))


def _level_rates(cases, start, end) -> tuple[float | None, float | None]:
    """(building rate, compound rate) of ``cases`` resolved in [start, end)."""
    resolved = _in_window(cases.filter(status__in=DONE_STATUSES), "resolved_at", start, end)
    by_level = dict(resolved.values_list("resolved_level").annotate(n=Count("pk")).order_by())
    total = sum(by_level.values())
    if not total:
        return None, None
    low = by_level.get(Level.BUILDING, 0)
    mid = low + by_level.get(Level.COMPOUND, 0)
    return round(low / total, 4), round(mid / total, 4)


def _by_category(opened_qs, resolved_qs) -> list[dict]:
    opened = dict(opened_qs.values_list("category").annotate(n=Count("pk")).order_by())
    resolved = dict(resolved_qs.values_list("category").annotate(n=Count("pk")).order_by())
    low = dict(
        resolved_qs.filter(resolved_level=Level.BUILDING)
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        {
            "category": c.value,
            "label": str(c.label),
            "opened": opened.get(c.value, 0),
            "resolved": resolved.get(c.value, 0),
            "building_rate": round(low.get(c.value, 0) / resolved[c.value], 4)
            if resolved.get(c.value)
            else None,
        }
        for c in Category
    ]


def heat_table(compound, *, since: date | None = None, until: date | None = None) -> dict:
    """Cases opened per building × category (the heat table), with open counts and
    the current period's sweep state per building."""
    start, end = _window(since, until)
    opened = _in_window(Case.objects.filter(compound=compound), "opened_at", start, end)
    cells: dict[tuple, int] = {
        (b, c): n
        for b, c, n in opened.values_list("building_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    }
    open_now = dict(
        Case.objects.filter(compound=compound, status__in=OPEN_STATUSES)
        .values_list("building_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    top = max(cells.values(), default=0)
    today = timezone.localdate()
    sweeps = {
        s.building_id: s
        for s in Sweep.objects.filter(
            compound=compound, period_start__lte=today, period_end__gte=today
        )
    }
    rows = []
    buildings = [(b.pk, b.name) for b in compound.buildings.all()] + [(None, "—")]
    for bid, name in buildings:
        counts = [cells.get((bid, c.value), 0) for c in Category]
        if bid is None and not any(counts):
            continue
        rows.append(
            {
                "building_id": bid,
                "name": name,
                "cells": [{"n": n, "heat": _heat(n, top)} for n in counts],
                "total": sum(counts),
                "open": open_now.get(bid, 0),
                "sweep": sweeps.get(bid),
            }
        )
    return {"categories": list(Category), "rows": rows, "max": top}


def _heat(n: int, top: int) -> int:
    """0–4, for five shades of red."""
    if not n or not top:
        return 0
    return max(1, min(4, round(4 * n / top)))


def regulator_compound_rate(compound_ids, start: date, end: date):
    """大事不出小区 over ``compound_ids``: of the cases resolved in [start, end],
    the share resolved at building or compound level (as ``figures``)."""
    cases = Case.objects.filter(compound_id__in=compound_ids)
    return _level_rates(cases, *_window(start, end))[1]


def regulator_opened(compound_ids, start: date, end: date) -> int:
    """Cases opened in [start, end] in ``compound_ids`` (as ``figures``)."""
    window_start, window_end = _window(start, end)
    return _in_window(
        Case.objects.filter(compound_id__in=compound_ids), "opened_at", window_start, window_end
    ).count()


def red_cases(user, compounds):
    """The open red-risk cases of ``compounds``, the closest deadline first."""
    return (
        open_cases(cases_visible_to(user))
        .filter(compound__in=compounds, risk=Risk.RED)
        .order_by("due_at", "pk")
    )


def compound_ranking(compounds, since) -> list[dict]:
    """One row per compound (at most 200), best 小事不出楼栋 rate first: the
    region view's drill-down."""
    shown = list(compounds.order_by("code")[:200])
    by_id = figures_by_compound(compounds.filter(pk__in=[c.pk for c in shown]), since=since)
    rows = [{"compound": c, "f": by_id[c.pk]} for c in shown]
    rows.sort(key=lambda r: (r["f"].building_rate is None, -(r["f"].building_rate or 0)))
    return rows


def configurable_compounds(user, *, limit: int = 200) -> list:
    """Compounds whose dispute policy ``user`` may change."""
    return [
        c
        for c in compounds_visible_to(user).order_by("code")[:limit]
        if can(user, "disputes.configure", compound=c)
    ]


def figure_compound(allowed, compound):
    """``allowed`` narrowed to ``compound``, or None when it is not among them."""
    narrowed = allowed.filter(pk=compound.pk)
    return narrowed if narrowed.exists() else None


def _per_compound(rows) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for cid, key, n in rows:
        out.setdefault(cid, {})[key] = n
    return out


def regulator_opened_many(groups, start: date, end: date) -> list[int]:
    """``regulator_opened`` for every group of compounds, in one grouped query."""
    window_start, window_end = _window(start, end)
    every = {cid for ids in groups for cid in ids}
    by_compound = dict(
        _in_window(
            Case.objects.filter(compound_id__in=every), "opened_at", window_start, window_end
        )
        .order_by()
        .values_list("compound_id")
        .annotate(n=Count("pk"))
    )
    return [sum(by_compound.get(cid, 0) for cid in ids) for ids in groups]


def regulator_compound_rate_many(groups, start: date, end: date) -> list:
    """``regulator_compound_rate`` for every group (a rate over all the group's
    cases, not a mean of its compounds' rates), in one grouped query."""
    window_start, window_end = _window(start, end)
    every = {cid for ids in groups for cid in ids}
    resolved = _in_window(
        Case.objects.filter(compound_id__in=every, status__in=DONE_STATUSES),
        "resolved_at",
        window_start,
        window_end,
    )
    by_compound = _per_compound(
        resolved.order_by().values_list("compound_id", "resolved_level").annotate(n=Count("pk"))
    )
    answers = []
    for ids in groups:
        levels = [by_compound.get(cid, {}) for cid in ids]
        total = sum(sum(lv.values()) for lv in levels)
        low = sum(lv.get(Level.BUILDING, 0) + lv.get(Level.COMPOUND, 0) for lv in levels)
        answers.append(round(low / total, 4) if total else None)
    return answers


def figures_by_compound(
    compounds, *, since: date | None = None, until: date | None = None, now: datetime | None = None
) -> dict[int, Figures]:
    """The ranking's headline figures (resolved, both rates, median days, overdue,
    open red) of each compound of ``compounds``, keyed by id, by the same
    definitions as ``figures()`` — in four grouped queries however many
    compounds there are (the region view asked ``figures()`` once per compound)."""
    now = now or timezone.now()
    start, end = _window(since, until)
    cases = Case.objects.filter(compound__in=compounds).order_by()
    resolved_qs = _in_window(cases.filter(status__in=DONE_STATUSES), "resolved_at", start, end)
    by_level: dict[int, dict] = {}
    durations: dict[int, list] = {}
    for cid, level, opened_at, resolved_at in resolved_qs.values_list(
        "compound_id", "resolved_level", "opened_at", "resolved_at"
    ):
        levels = by_level.setdefault(cid, {})
        levels[level] = levels.get(level, 0) + 1
        durations.setdefault(cid, []).append((resolved_at - opened_at).total_seconds() / 86400)
    overdue = dict(
        _in_window(cases, "opened_at", start, end)
        .filter(Q(timeouts__gt=0) | Q(status__in=OPEN_STATUSES, due_at__lt=now))
        .values_list("compound_id")
        .annotate(n=Count("pk"))
    )
    open_red = dict(
        cases.filter(status__in=OPEN_STATUSES, risk=Risk.RED)
        .values_list("compound_id")
        .annotate(n=Count("pk"))
    )
    out = {}
    for cid in compounds.values_list("pk", flat=True):
        levels = by_level.get(cid, {})
        resolved = sum(levels.values())
        low = levels.get(Level.BUILDING, 0)
        mid = low + levels.get(Level.COMPOUND, 0)
        spans = durations.get(cid)
        out[cid] = Figures(
            resolved=resolved,
            building_rate=round(low / resolved, 4) if resolved else None,
            compound_rate=round(mid / resolved, 4) if resolved else None,
            median_days=round(statistics.median(spans), 1) if spans else None,
            overdue=overdue.get(cid, 0),
            open_red=open_red.get(cid, 0),
        )
    return out


def regulator_building_rate(compound_ids, start: date, end: date):
    """小事不出楼栋 over ``compound_ids``: of the cases resolved in [start, end],
    the share resolved at building level (as ``figures``)."""
    window_start, window_end = _window(start, end)
    resolved = _in_window(
        Case.objects.filter(compound_id__in=compound_ids, status__in=DONE_STATUSES),
        "resolved_at",
        window_start,
        window_end,
    )
    by_level = dict(resolved.values_list("resolved_level").annotate(n=Count("pk")).order_by())
    total = sum(by_level.values())
    return round(by_level.get(Level.BUILDING, 0) / total, 4) if total else None
