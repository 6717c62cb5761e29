"""The duty team and their leave as an engine problem; the stored roster read
back as the engine's assignments, and the rules it breaks."""

from __future__ import annotations

from datetime import date, timedelta

from wanjia import rostering as engine

from ...models import DutyLeave, DutyShift
from .reasons import reason_json
from .shifts import COVER, MAX_NIGHTS, SHIFTS, WEEKLY_HOURS
from .team import team_of


def leave_days(compound, start: date, days: int) -> dict[int, set[date]]:
    end = start + timedelta(days=days - 1)
    out: dict[int, set[date]] = {}
    for row in DutyLeave.objects.filter(compound=compound, start__lte=end, end__gte=start):
        d = max(row.start, start)
        while d <= min(row.end, end):
            out.setdefault(row.user_id, set()).add(d)
            d += timedelta(days=1)
    return out


def build_problem(compound, start: date, days: int, *, team=None) -> engine.RosterProblem:
    team = team_of(compound) if team is None else team
    leave = leave_days(compound, start, days)
    return engine.RosterProblem(
        start=start,
        days=days,
        shifts=tuple(s.engine for s in SHIFTS),
        guards=tuple(
            engine.Guard(
                key=str(u.pk),
                name=u.name,
                weekly_hours_cap=WEEKLY_HOURS,
                max_consecutive_nights=MAX_NIGHTS,
                leave=frozenset(leave.get(u.pk, ())),
            )
            for u in team
        ),
        cover=dict(COVER),
    )


def assignments_in(compound, start: date, days: int) -> list[engine.Assignment]:
    end = start + timedelta(days=days)
    rows = DutyShift.objects.filter(compound=compound, date__gte=start, date__lt=end)
    return [
        engine.Assignment(d, s, str(u)) for d, s, u in rows.values_list("date", "shift", "user_id")
    ]


def _reasons_in(compound, start: date, days: int) -> list[engine.Reason]:
    return engine.check(build_problem(compound, start, days), assignments_in(compound, start, days))


def problems_in(compound, start: date, days: int) -> list[dict]:
    """Broken rules of the stored roster in the range (days without shifts
    left out; fairness is the build's business)."""
    dates = set(
        DutyShift.objects.filter(
            compound=compound, date__gte=start, date__lt=start + timedelta(days=days)
        ).values_list("date", flat=True)
    )
    if not dates:
        return []
    first, last = min(dates), max(dates)
    return [
        reason_json(r)
        for r in _reasons_in(compound, first, (last - first).days + 1)
        if r.code != "fairness" and (r.day is None or r.day in dates)
    ]
