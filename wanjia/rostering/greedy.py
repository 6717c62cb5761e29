"""The baseline: fill each day's shifts in start order with the least-loaded
guards the hard rules allow (fewest nights for a night shift, fewest shifts
otherwise; ties go to preferences, then fewest shifts, then input order).
It never looks ahead, so it may leave a slot short or nights unfair: its
result is whatever ``check`` says about it."""

from __future__ import annotations

import time
from collections import Counter

from .model import WHOLE_DAY, Assignment, Guard, RosterProblem, RosterResult, sort_assignments
from .rules import check, stats


def greedy(problem: RosterProblem) -> RosterResult:
    started = time.perf_counter()
    shifts = {s.key: s for s in problem.shifts}
    order = sorted(problem.shifts, key=lambda s: (s.start_minute, s.key))
    conflicts = problem.rest_conflicts()
    worked: dict[tuple[str, int], str] = {}
    nights: Counter = Counter()
    total: Counter = Counter()
    assignments: list[Assignment] = []

    def allowed(g: Guard, d: int, key: str) -> bool:
        if problem.on_leave(g, d) or (g.key, d) in worked:
            return False
        if any(b == key and worked.get((g.key, d - off)) == a for a, off, b in conflicts):
            return False
        if shifts[key].is_night:
            run, e = 1, d - 1
            while (
                e >= 0
                and shifts.get(worked.get((g.key, e), ""), None)
                and shifts[worked[(g.key, e)]].is_night
            ):
                run, e = run + 1, e - 1
            if run > g.max_consecutive_nights:
                return False
        for window in problem.windows():
            if d in window:
                minutes = sum(
                    shifts[worked[(g.key, e)]].length_minutes
                    for e in window
                    if (g.key, e) in worked
                )
                if minutes + shifts[key].length_minutes > g.weekly_hours_cap * 60:
                    return False
        return True

    def rank(g: Guard, d: int, key: str, index: int) -> tuple:
        day = problem.date(d)
        off = (day, key) in g.prefers_off or (day, WHOLE_DAY) in g.prefers_off
        load = nights[g.key] if shifts[key].is_night else total[g.key]
        return (load, off, (day, key) not in g.prefers_on, total[g.key], index)

    def take(g: Guard, d: int, key: str) -> None:
        worked[(g.key, d)] = key
        total[g.key] += 1
        nights[g.key] += shifts[key].is_night
        assignments.append(Assignment(problem.date(d), key, g.key))

    for d in range(problem.days):
        for s in order:
            need = problem.need(d, s.key)
            pool = sorted(
                (rank(g, d, s.key, i), g)
                for i, g in enumerate(problem.guards)
                if allowed(g, d, s.key)
            )
            chosen: list[Guard] = []
            for (key, role), n in sorted(problem.role_cover.items()):
                if key == s.key:
                    have = sum(role in g.roles for g in chosen)
                    for _, g in pool:
                        if have >= n or len(chosen) >= need:
                            break
                        if role in g.roles and g not in chosen:
                            chosen.append(g)
                            have += 1
            for _, g in pool:
                if len(chosen) >= need:
                    break
                if g not in chosen:
                    chosen.append(g)
            for g in chosen:
                take(g, d, s.key)
    assignments = sort_assignments(assignments)
    reasons = check(problem, assignments)
    timing = {"solve_seconds": round(time.perf_counter() - started, 3)}
    status = "infeasible" if reasons else "feasible"
    return RosterResult(status, assignments, reasons, stats(problem, assignments, **timing))
