"""From a compound's team (guards and volunteers), their leave and wishes to an
engine problem; the stored roster read back as the engine's assignments, and
the rules it breaks."""

from __future__ import annotations

from datetime import date, timedelta

from wanjia import rostering as engine
from wanjia.core.roster_jobs import MAX_DAYS

from ...models import Leave, RosterShift, ShiftWish, TeamMember, TeamRole
from .reasons import reason_json
from .shifts import COVER, LIMITS, ROLE_COVER, SHIFTS


def members_of(compound) -> list[TeamMember]:
    """The compound's team members, one row per person (a guard before a
    volunteer when someone is both), ordered guards first, then by name."""
    rows = (
        TeamMember.objects.filter(team__compound=compound, user__is_active=True)
        .select_related("user", "team")
        .order_by("user_id", "role", "id")  # "guard" < "volunteer"
    )
    seen: dict[int, TeamMember] = {}
    for m in rows:
        seen.setdefault(m.user_id, m)
    return sorted(seen.values(), key=lambda m: (m.role != TeamRole.GUARD, m.user.name, m.user_id))


def leave_days(compound, start: date, days: int) -> dict[int, set[date]]:
    end = start + timedelta(days=days - 1)
    out: dict[int, set[date]] = {}
    for row in Leave.objects.filter(compound=compound, start__lte=end, end__gte=start):
        d = max(row.start, start)
        while d <= min(row.end, end):
            out.setdefault(row.user_id, set()).add(d)
            d += timedelta(days=1)
    return out


def wish_days(compound, start: date, days: int) -> dict[int, tuple[set, set]]:
    """Each member's weekly wishes over the horizon: ``user_id -> (prefers_on,
    prefers_off)``, sets of ``(date, shift key or "*")``."""
    out: dict[int, tuple[set, set]] = {}
    wishes = list(ShiftWish.objects.filter(compound=compound))
    for n in range(days):
        day = start + timedelta(days=n)
        for w in wishes:
            if w.weekday == day.isoweekday():
                on, off = out.setdefault(w.user_id, (set(), set()))
                (on if w.wants else off).add((day, w.shift))
    return out


def build_problem(
    compound, start: date, days: int, *, members: list[TeamMember] | None = None, cover=None
) -> engine.RosterProblem:
    members = members_of(compound) if members is None else members
    leave = leave_days(compound, start, days)
    wishes = wish_days(compound, start, days)
    guards = []
    for m in members:
        cap, nights = LIMITS.get(m.role, LIMITS[TeamRole.GUARD])
        guards.append(
            engine.Guard(
                key=str(m.user_id),
                name=m.user.name,
                weekly_hours_cap=cap,
                max_consecutive_nights=nights,
                leave=frozenset(leave.get(m.user_id, ())),
                prefers_on=frozenset(wishes.get(m.user_id, ((), ()))[0]),
                prefers_off=frozenset(wishes.get(m.user_id, ((), ()))[1]),
                roles=frozenset({m.role}),
            )
        )
    return engine.RosterProblem(
        start=start,
        days=days,
        shifts=tuple(s.engine for s in SHIFTS),
        guards=tuple(guards),
        cover=dict(cover or COVER),
        role_cover=dict(ROLE_COVER),
    )


def block_around(compound, day: date, reach: int = MAX_DAYS) -> tuple[date, date]:
    """The run of consecutive dates with shifts around ``day`` (a built
    roster's horizon), at most ``reach`` days either side."""
    dates = set(
        RosterShift.objects.filter(
            compound=compound,
            date__gte=day - timedelta(days=reach),
            date__lte=day + timedelta(days=reach),
        )
        .values_list("date", flat=True)
        .distinct()
    )
    first = last = day
    while first - timedelta(days=1) in dates:
        first -= timedelta(days=1)
    while last + timedelta(days=1) in dates:
        last += timedelta(days=1)
    return first, last


def _reasons_in(compound, start: date, days: int) -> list[engine.Reason]:
    problem = build_problem(compound, start, days)
    return engine.check(problem, assignments_in(compound, start, days))


def assignments_in(compound, start: date, days: int) -> list[engine.Assignment]:
    end = start + timedelta(days=days)
    rows = RosterShift.objects.filter(compound=compound, date__gte=start, date__lt=end)
    return [
        engine.Assignment(d, s, str(u)) for d, s, u in rows.values_list("date", "shift", "user_id")
    ]


def problems_in(compound, start: date, days: int) -> list[dict]:
    """The broken rules of the stored roster over ``start`` + ``days`` (days
    without any shift left out: nobody asked for them), for the grid. The night
    fairness is left to the build and the edits: over a window other than the
    built horizon it says nothing useful."""
    dates = set(
        RosterShift.objects.filter(
            compound=compound, date__gte=start, date__lt=start + timedelta(days=days)
        ).values_list("date", flat=True)
    )
    if not dates:
        return []
    first, last = min(dates), max(dates)
    reasons = _reasons_in(compound, first, (last - first).days + 1)
    return [
        reason_json(r)
        for r in reasons
        if r.code != "fairness" and (r.day is None or r.day in dates)
    ]
