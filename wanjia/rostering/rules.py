"""The hard rules, checked on any roster (the solvers' or a hand-edited one)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from .model import WHOLE_DAY, Assignment, Reason, RosterProblem, RosterStats


def _grid(problem: RosterProblem, assignments: Iterable[Assignment], reasons: list[Reason]):
    """(guard key, day index) -> shift keys, dropping (and reporting) rows that
    name an unknown guard or shift or fall outside the horizon."""
    guards = {g.key for g in problem.guards}
    shifts = {s.key for s in problem.shifts}
    grid: dict[tuple[str, int], list[str]] = defaultdict(list)
    for a in assignments:
        day = problem.day_index(a.day)
        if a.guard not in guards:
            reasons.append(Reason("unknown_guard", a.day, a.shift, a.guard))
        elif a.shift not in shifts:
            reasons.append(Reason("unknown_shift", a.day, a.shift, a.guard))
        elif day is None:
            reasons.append(Reason("outside_horizon", a.day, a.shift, a.guard))
        else:
            grid[(a.guard, day)].append(a.shift)
    return grid


def nights_per_guard(problem: RosterProblem, assignments: Iterable[Assignment]) -> Counter:
    night = {s.key for s in problem.shifts if s.is_night}
    counts = Counter({g.key: 0 for g in problem.guards})
    counts.update(a.guard for a in assignments if a.shift in night and a.guard in counts)
    return counts


def check(problem: RosterProblem, assignments: Iterable[Assignment]) -> list[Reason]:
    """Every broken hard rule of ``assignments``; an empty list means valid.

    Cover is exact (fewer: understaffed, more: overstaffed); one shift a day;
    no shift on a leave day; ``min_rest_hours`` between shifts; at most
    ``max_consecutive_nights`` nights in a row; at most ``weekly_hours_cap``
    hours in any 7 consecutive days; role cover; nights per fair guard within
    ``night_fairness`` of each other."""
    assignments = list(assignments)
    reasons: list[Reason] = []
    grid = _grid(problem, assignments, reasons)
    shifts = {s.key: s for s in problem.shifts}
    roles = {g.key: g.roles for g in problem.guards}
    on: dict[tuple[int, str], list[str]] = defaultdict(list)
    for (g, d), keys in sorted(grid.items()):
        for key in keys:
            on[(d, key)].append(g)
        if len(keys) > 1:
            reasons.append(
                Reason("double_shift", problem.date(d), None, g, {"shifts": sorted(keys)})
            )
    for guard in problem.guards:
        for d in range(problem.days):
            for key in grid.get((guard.key, d), ()):
                if problem.on_leave(guard, d):
                    reasons.append(Reason("on_leave", problem.date(d), key, guard.key))
    for d in range(problem.days):
        for s in problem.shifts:
            need, got = problem.need(d, s.key), len(on.get((d, s.key), ()))
            if got != need:
                code = "understaffed" if got < need else "overstaffed"
                facts = {"needed": need, "assigned": got}
                reasons.append(Reason(code, problem.date(d), s.key, None, facts))
            for (key, role), n in sorted(problem.role_cover.items()):
                have = sum(1 for g in on.get((d, s.key), ()) if role in roles[g])
                if key == s.key and have < n:
                    facts = {"role": role, "needed": n, "assigned": have}
                    reasons.append(Reason("role_missing", problem.date(d), key, None, facts))
    for a, offset, b in problem.rest_conflicts():
        for (g, d), keys in sorted(grid.items()):
            if a in keys and b in grid.get((g, d + offset), ()):
                facts = {
                    "after": a,
                    "after_day": problem.date(d),
                    "min_rest_hours": problem.min_rest_hours,
                }
                reasons.append(Reason("rest", problem.date(d + offset), b, g, facts))
    for guard in problem.guards:
        run = 0
        for d in range(problem.days):
            keys = grid.get((guard.key, d), ())
            run = run + 1 if any(shifts[k].is_night for k in keys) else 0
            if run == guard.max_consecutive_nights + 1:
                facts = {"nights": run, "limit": guard.max_consecutive_nights}
                reasons.append(
                    Reason("consecutive_nights", problem.date(d), None, guard.key, facts)
                )
        previous_bad = False
        for window in problem.windows():
            minutes = sum(
                shifts[k].length_minutes for d in window for k in grid.get((guard.key, d), ())
            )
            bad = minutes > guard.weekly_hours_cap * 60
            if bad and not previous_bad:
                facts = {
                    "hours": round(minutes / 60, 1),
                    "cap": guard.weekly_hours_cap,
                    "window_end": problem.date(window[-1]),
                }
                reasons.append(
                    Reason("weekly_hours", problem.date(window[0]), None, guard.key, facts)
                )
            previous_bad = bad
    reasons.extend(fairness_reasons(problem, assignments))
    return reasons


def fairness_reasons(problem: RosterProblem, assignments: list[Assignment]) -> list[Reason]:
    fair = [g.key for g in problem.fair_guards()]
    if len(fair) < 2:
        return []
    counts = nights_per_guard(problem, assignments)
    low, high = min(counts[g] for g in fair), max(counts[g] for g in fair)
    if high - low <= problem.night_fairness:
        return []
    facts = {
        "min": low,
        "max": high,
        "allowed": problem.night_fairness,
        "most": sorted(g for g in fair if counts[g] == high),
        "fewest": sorted(g for g in fair if counts[g] == low),
    }
    return [Reason("fairness", facts=facts)]


def preference_hits(problem: RosterProblem, assignments: Iterable[Assignment]) -> int:
    worked: dict[tuple[str, object], set[str]] = defaultdict(set)
    for a in assignments:
        worked[(a.guard, a.day)].add(a.shift)
    hits = 0
    for g in problem.guards:
        for day, key in g.prefers_on:
            if problem.day_index(day) is not None and key in worked[(g.key, day)]:
                hits += 1
        for day, key in g.prefers_off:
            if problem.day_index(day) is None:
                continue
            keys = worked[(g.key, day)]
            hits += not keys if key == WHOLE_DAY else key not in keys
    return hits


def stats(problem: RosterProblem, assignments: list[Assignment], **timing) -> RosterStats:
    """Nights per guard among the fair guards (all guards when fewer than two),
    shifts per guard, preferences honoured."""
    keys = [g.key for g in problem.fair_guards()]
    if len(keys) < 2:
        keys = [g.key for g in problem.guards]
    nights = nights_per_guard(problem, assignments)
    shifts = Counter(dict.fromkeys(keys, 0))
    shifts.update(a.guard for a in assignments if a.guard in shifts)
    return RosterStats(
        nights_min=min((nights[k] for k in keys), default=0),
        nights_max=max((nights[k] for k in keys), default=0),
        shifts_min=min((shifts[k] for k in keys), default=0),
        shifts_max=max((shifts[k] for k in keys), default=0),
        preference_hits=preference_hits(problem, assignments),
        preference_total=problem.preference_count(),
        **timing,
    )
