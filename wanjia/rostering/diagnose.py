"""Why a roster is impossible: which day and shift cannot be covered, the
facts behind it, and which rule group blocks.

First a cheap static pass (guards not on leave against the cover a slot or a
day needs). Then the model with slack on cover finds the fewest uncovered
places and a partial roster that keeps every other rule; each short slot is
explained from that roster (who is on leave, on another shift, resting, at the
hours cap, at the nights limit). Finally each rule group (rest, consecutive
nights, weekly hours, role cover) is dropped in turn: a group whose removal
covers everything is named as the one that blocks.
"""

from __future__ import annotations

import time

from .model import Reason, RosterProblem, RosterResult
from .rules import stats


def static_reasons(problem: RosterProblem) -> list[Reason]:
    """Slots or days that cannot be covered by the guards not on leave, and
    roles nobody available holds."""
    reasons = []
    for d in range(problem.days):
        free = [g for g in problem.guards if not problem.on_leave(g, d)]
        on_leave = len(problem.guards) - len(free)
        total = 0
        for s in problem.shifts:
            need = problem.need(d, s.key)
            total += need
            if need > len(free):
                facts = {"needed": need, "available": len(free), "on_leave": on_leave}
                reasons.append(Reason("understaffed", problem.date(d), s.key, None, facts))
            for (key, role), n in problem.role_cover.items():
                holders = sum(1 for g in free if role in g.roles)
                if key == s.key and holders < n:
                    facts = {"role": role, "needed": n, "available": holders}
                    reasons.append(Reason("role_missing", problem.date(d), key, None, facts))
        if total > len(free) and all(problem.need(d, s.key) <= len(free) for s in problem.shifts):
            facts = {"needed": total, "available": len(free), "on_leave": on_leave}
            reasons.append(Reason("understaffed", problem.date(d), None, None, facts))
    return reasons


def _explain(problem: RosterProblem, assignments, d: int, key: str, short: int) -> Reason:
    """Every guard not on this slot, by the first thing that keeps them off it."""
    shifts = {s.key: s for s in problem.shifts}
    worked = {(problem.day_index(a.day), a.guard): a.shift for a in assignments}
    conflicts = problem.rest_conflicts()
    counts = dict.fromkeys(
        ("on_leave", "on_other_shift", "resting", "at_hours_cap", "at_night_limit", "free"), 0
    )
    assigned = 0
    for g in problem.guards:
        mine = worked.get((d, g.key))
        if mine == key:
            assigned += 1
            continue
        if problem.on_leave(g, d):
            counts["on_leave"] += 1
        elif mine is not None:
            counts["on_other_shift"] += 1
        elif any(worked.get((d - off, g.key)) == a and b == key for a, off, b in conflicts) or any(
            worked.get((d + off, g.key)) == b and a == key for a, off, b in conflicts
        ):
            counts["resting"] += 1
        elif any(
            sum(shifts[worked[(e, g.key)]].length_minutes for e in w if (e, g.key) in worked)
            + shifts[key].length_minutes
            > g.weekly_hours_cap * 60
            for w in problem.windows()
            if d in w
        ):
            counts["at_hours_cap"] += 1
        elif (
            shifts[key].is_night
            and _night_run(problem, worked, g.key, d) > g.max_consecutive_nights
        ):
            counts["at_night_limit"] += 1
        else:
            counts["free"] += 1
    facts = {"needed": problem.need(d, key), "available": assigned, "short": short, **counts}
    return Reason("understaffed", problem.date(d), key, None, facts)


def _night_run(problem: RosterProblem, worked, guard: str, d: int) -> int:
    nights = {s.key for s in problem.shifts if s.is_night}
    run, e = 1, d - 1
    while e >= 0 and worked.get((e, guard)) in nights:
        run, e = run + 1, e - 1
    e = d + 1
    while e < problem.days and worked.get((e, guard)) in nights:
        run, e = run + 1, e + 1
    return run


def diagnose(problem: RosterProblem, started: float, seconds: float, workers: int) -> RosterResult:
    """An infeasible result: the best partial roster (every rule but cover kept,
    fairness soft) and the reasons."""
    from .cpsat import GROUPS, assignments_of, build, run

    deadline = time.perf_counter() + seconds
    built = build(problem, fairness_hard=False, slack=True)
    status, solver, first = run(built, seconds * 0.5, workers)
    reasons = static_reasons(problem)
    if status not in ("OPTIMAL", "FEASIBLE"):
        reasons.append(Reason("no_solution", facts={"seconds": round(seconds, 1)}))
        return RosterResult("infeasible", [], reasons, stats(problem, []))
    assignments = assignments_of(problem, built, solver)
    shortfall = {k: solver.value(v) for k, v in built.short.items() if solver.value(v)}
    seen = {(r.day, r.shift) for r in reasons if r.code == "understaffed"}
    for (d, key), short in sorted(shortfall.items()):
        if ":" in key:  # a role
            shift, role = key.split(":", 1)
            facts = {"role": role, "needed": problem.role_cover[(shift, role)], "short": short}
            reasons.append(Reason("role_missing", problem.date(d), shift, None, facts))
        elif (problem.date(d), key) not in seen:
            reasons.append(_explain(problem, assignments, d, key, short))
    total = sum(shortfall.values())
    used = {
        "rest": bool(problem.rest_conflicts()),
        "nights": any(s.is_night for s in problem.shifts),
        "hours": True,
        "roles": bool(problem.role_cover),
    }
    for group in (g for g in GROUPS if used[g]):
        budget = (deadline - time.perf_counter()) / 2
        if budget < 0.05 or total == 0:
            break
        relaxed = build(problem, fairness_hard=False, slack=True, drop=frozenset({group}))
        status, other, _ = run(relaxed, budget, workers)
        if status in ("OPTIMAL", "FEASIBLE"):
            left = sum(other.value(v) for v in relaxed.short.values())
            if left < total:
                facts = {"rule": group, "uncovered": total, "uncovered_without_rule": left}
                reasons.append(Reason("blocked_by", facts=facts))
    timing = {
        "solve_seconds": round(time.perf_counter() - started, 3),
        "time_to_first_feasible": None,
    }
    return RosterResult("infeasible", assignments, reasons, stats(problem, assignments, **timing))
