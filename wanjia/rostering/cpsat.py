"""The CP-SAT model of a roster and ``solve``.

One Boolean per (guard, day, shift) a guard may take (none on leave days).
Hard: exact cover, one shift a day, rest, consecutive nights, hours in any 7
days, role cover, nights per fair guard within ``night_fairness``. Objective
(minimised): 50 × (night spread − 1)⁺ + 10 × (shift spread − 1)⁺ + 3 ×
preferences missed, spreads among the fair guards (a spread of 1 is free:
totals rarely divide evenly, and a bound that must prove spread ≥ 1 stalls). When the fairness rule alone makes the roster
impossible it becomes soft and a ``fairness_relaxed`` reason says so; when
anything else does, ``diagnose`` names the slots and the rule that blocks.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .model import WHOLE_DAY, Assignment, Reason, RosterProblem, RosterResult, sort_assignments
from .rules import fairness_reasons, stats

W_NIGHT_SPREAD, W_SHIFT_SPREAD, W_PREFERENCE = 50, 10, 3
GROUPS = ("rest", "nights", "hours", "roles")  # rule groups diagnosis may drop
SEED = 7


@dataclass
class Built:
    model: cp_model.CpModel
    x: dict[tuple[str, int, str], cp_model.IntVar]
    short: dict[tuple[int, str], cp_model.IntVar] = field(default_factory=dict)
    # (guards, shift keys, hi, lo, excess) of each spread in the objective
    spreads: list[tuple] = field(default_factory=list)

    def hint(self, problem: RosterProblem, assignments: list[Assignment]) -> None:
        """Start the search from ``assignments``, objective variables included
        (a partial hint is often repaired slowly)."""
        taken = {(a.guard, (a.day - problem.start).days, a.shift) for a in assignments}
        for key, var in self.x.items():
            self.model.add_hint(var, key in taken)
        for guards, keys, hi, lo, excess in self.spreads:
            counts = [sum(1 for g, _, k in taken if g == guard and k in keys) for guard in guards]
            self.model.add_hint(hi, max(counts))
            self.model.add_hint(lo, min(counts))
            self.model.add_hint(excess, max(0, max(counts) - min(counts) - 1))


def build(
    problem: RosterProblem,
    *,
    fairness_hard: bool = True,
    slack: bool = False,
    drop: frozenset[str] = frozenset(),
) -> Built:
    """The model; ``slack`` lets cover fall short (at a price above everything
    else) so that it always has a solution; ``drop`` leaves out rule groups."""
    m = cp_model.CpModel()
    shifts = problem.shifts
    x = {
        (g.key, d, s.key): m.new_bool_var(f"x_{g.key}_{d}_{s.key}")
        for g in problem.guards
        for d in range(problem.days)
        if not problem.on_leave(g, d)
        for s in shifts
    }
    built = Built(m, x)
    for g in problem.guards:
        for d in range(problem.days):
            day = [x[(g.key, d, s.key)] for s in shifts if (g.key, d, s.key) in x]
            if len(day) > 1:
                m.add_at_most_one(day)
    for d in range(problem.days):
        for s in shifts:
            on = [v for (gk, dd, sk), v in x.items() if dd == d and sk == s.key]
            need = problem.need(d, s.key)
            if slack:
                short = m.new_int_var(0, need, f"short_{d}_{s.key}")
                built.short[(d, s.key)] = short
                m.add(sum(on) + short == need)
            else:
                m.add(sum(on) == need)
    if "roles" not in drop:
        for (key, role), n in problem.role_cover.items():
            holders = [g.key for g in problem.guards if role in g.roles]
            for d in range(problem.days):
                have = sum(x[(g, d, key)] for g in holders if (g, d, key) in x)
                if slack:
                    short = m.new_int_var(0, n, f"short_{d}_{key}_{role}")
                    built.short[(d, f"{key}:{role}")] = short
                    m.add(have + short >= n)
                else:
                    m.add(have >= n)
    if "rest" not in drop:
        for a, offset, b in problem.rest_conflicts():
            for g in problem.guards:
                for d in range(problem.days - offset):
                    first, second = (g.key, d, a), (g.key, d + offset, b)
                    if first in x and second in x:
                        m.add_bool_or([x[first].Not(), x[second].Not()])
    nights = [s.key for s in shifts if s.is_night]
    for g in problem.guards:
        per_day = [
            sum(x[(g.key, d, k)] for k in nights if (g.key, d, k) in x) for d in range(problem.days)
        ]
        k = g.max_consecutive_nights
        if "nights" not in drop and nights and k + 1 <= problem.days:
            for d in range(problem.days - k):
                m.add(sum(per_day[d : d + k + 1]) <= k)
        if "hours" not in drop:
            for window in problem.windows():
                load = [
                    s.length_minutes * x[(g.key, d, s.key)]
                    for d in window
                    for s in shifts
                    if (g.key, d, s.key) in x
                ]
                if load:
                    m.add(sum(load) <= g.weekly_hours_cap * 60)
    m.minimize(_objective(problem, built, fairness_hard=fairness_hard, nights=nights))
    return built


def _spread(m: cp_model.CpModel, counts: list, top: int, name: str):
    hi, lo = m.new_int_var(0, top, f"{name}_hi"), m.new_int_var(0, top, f"{name}_lo")
    for c in counts:
        m.add(hi >= c)
        m.add(lo <= c)
    total = sum(counts)  # implied, but they tighten the linear relaxation
    m.add(len(counts) * hi >= total)
    m.add(len(counts) * lo <= total)
    excess = m.new_int_var(0, top, f"{name}_excess")  # a spread of 1 is free
    m.add(excess >= hi - lo - 1)
    return hi, lo, excess


def _objective(problem: RosterProblem, built: Built, *, fairness_hard: bool, nights: list[str]):
    m, x = built.model, built.x
    fair = [g.key for g in problem.fair_guards()]
    terms = []
    if len(fair) >= 2:

        def count(g: str, keys) -> object:
            return sum(v for (gk, _, sk), v in x.items() if gk == g and sk in keys)

        all_keys = {s.key for s in problem.shifts}
        hi, lo, excess = _spread(m, [count(g, set(nights)) for g in fair], problem.days, "nights")
        built.spreads.append((fair, set(nights), hi, lo, excess))
        if fairness_hard:
            m.add(hi - lo <= problem.night_fairness)
        terms.append(W_NIGHT_SPREAD * excess)
        hi, lo, excess = _spread(m, [count(g, all_keys) for g in fair], problem.days, "shifts")
        built.spreads.append((fair, all_keys, hi, lo, excess))
        terms.append(W_SHIFT_SPREAD * excess)
    for g in problem.guards:
        for day, key in g.prefers_on:
            d = problem.day_index(day)
            if d is not None and (g.key, d, key) in x:
                terms.append(W_PREFERENCE * (1 - x[(g.key, d, key)]))
        for day, key in g.prefers_off:
            d = problem.day_index(day)
            if d is None:
                continue
            keys = [s.key for s in problem.shifts] if key == WHOLE_DAY else [key]
            terms.extend(W_PREFERENCE * x[(g.key, d, k)] for k in keys if (g.key, d, k) in x)
    if built.short:
        big = (
            W_PREFERENCE * problem.preference_count()
            + (W_NIGHT_SPREAD + W_SHIFT_SPREAD) * problem.days
            + 1
        )
        terms.append(big * sum(built.short.values()))
    return sum(terms)


class _First(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float):
        super().__init__()
        self.started, self.first = started, None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.started


def run(
    built: Built,
    seconds: float,
    workers: int,
    give_up_s: float | None = None,
    origin: float | None = None,
):
    """(status name, solver, seconds from ``origin`` (default: now) to the
    first solution, or None). With ``give_up_s``, the search stops then if it
    has found no solution yet."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.05)
    solver.parameters.num_workers = max(workers, 1)
    solver.parameters.random_seed = SEED
    first = _First(time.perf_counter() if origin is None else origin)
    timer = None
    if give_up_s is not None:

        def give_up() -> None:
            if first.first is None:
                solver.stop_search()

        timer = threading.Timer(give_up_s, give_up)
        timer.daemon = True
        timer.start()
    try:
        status = solver.solve(built.model, first)
    finally:
        if timer is not None:
            timer.cancel()
    return solver.status_name(status), solver, first.first


def assignments_of(
    problem: RosterProblem, built: Built, solver: cp_model.CpSolver
) -> list[Assignment]:
    return sort_assignments(
        Assignment(problem.date(d), s, g) for (g, d, s), v in built.x.items() if solver.value(v)
    )


def solve(
    problem: RosterProblem,
    time_limit_s: float = 10.0,
    workers: int = 2,
    *,
    hint_greedy: bool = True,
) -> RosterResult:
    """The fairest roster CP-SAT finds within ``time_limit_s`` (wall clock, for
    every solve this call makes, diagnosis included). The greedy roster is
    given as a hint (a start, not a constraint) unless ``hint_greedy`` is off."""
    from .diagnose import diagnose, static_reasons

    started = time.perf_counter()

    def left() -> float:
        return time_limit_s - (time.perf_counter() - started)

    if static_reasons(problem):  # a slot is short whatever we do: no need to prove it
        return diagnose(problem, started, left(), workers)
    if hint_greedy:
        from .greedy import greedy

        hint = greedy(problem).assignments
    extra: list = []
    proven = True
    for fairness_hard in (True, False):
        built = build(problem, fairness_hard=fairness_hard)
        if hint_greedy:
            built.hint(problem, hint)
        # the hard-fairness model gives up at 60 % of the budget if it has no
        # roster yet (it may be stuck proving itself impossible); the relaxed
        # one then has the rest
        give_up = left() * 0.6 if fairness_hard else None
        status, solver, first = run(built, left(), workers, give_up, origin=started)
        if status in ("OPTIMAL", "FEASIBLE"):
            assignments = assignments_of(problem, built, solver)
            if not fairness_hard:
                extra = [
                    Reason("fairness_relaxed", facts={**r.facts, "proven": proven})
                    for r in fairness_reasons(problem, assignments)
                ]
            timing = {
                "solve_seconds": round(time.perf_counter() - started, 3),
                "time_to_first_feasible": None if first is None else round(first, 3),
                "objective": solver.objective_value,
                "best_bound": solver.best_objective_bound,
                "deterministic_s": round(solver.deterministic_time, 3),
            }
            return RosterResult(
                "optimal" if status == "OPTIMAL" else "feasible",
                assignments,
                extra,
                stats(problem, assignments, **timing),
            )
        if status == "INFEASIBLE" and not fairness_hard:
            return diagnose(problem, started, max(left(), 1.0), workers)
        if left() <= 0.05 or not fairness_hard:
            break
        proven = status == "INFEASIBLE"  # else UNKNOWN: no roster with fair nights found in time
    reason = Reason("no_solution", facts={"seconds": time_limit_s})
    timing = {"solve_seconds": round(time.perf_counter() - started, 3)}
    return RosterResult("unknown", [], [reason], stats(problem, [], **timing))
