"""Night-patrol roster: CP-SAT (``engine.solve``) against the greedy baseline
on the same instance, in the same run.

Instances: 30 guards × 28 days (from Monday 2026-12-07) × 3 shifts — day
08:00–16:00, evening 16:00–24:00, night 22:00–06:00 (the night runs past
midnight and belongs to the day it starts), one leader on every night, 48
hours in any 7 days, at most 3 nights in a row, 8 hours' rest, 4 guards with leave (one of them 8 days, so out of the fairness rule),
and 2 days off + 1 shift wanted per guard (random, seed 13). "standard": cover
6 / 5 / 6 (17 of 30 guards a day); "tight": 7 / 6 / 7 (20 a day).

Rows: ``cpsat`` (2 workers, 10 s budget) and ``greedy``. ``ratio`` on the
cpsat row is greedy's night spread ÷ CP-SAT's (above 1: CP-SAT fairer), and
``pref_ratio`` CP-SAT's preference hits ÷ greedy's. ``gap`` is the relative
distance between CP-SAT's objective and its best bound (0 when optimal);
``deterministic_s`` is CP-SAT's deterministic time, which a busy machine
does not inflate.
``BENCH_QUICK=1`` gives CP-SAT 3 s.
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta

from wanjia.rostering import Guard, RosterProblem, Shift, check, greedy, solve

QUICK = os.environ.get("BENCH_QUICK") == "1"
START = date(2026, 12, 7)
SHIFTS = (
    Shift("day", 8 * 60, 480, False),
    Shift("evening", 16 * 60, 480, False),
    Shift("night", 22 * 60, 480, True),
)


COVERS = {
    "standard 6/5/6": {"day": 6, "evening": 5, "night": 6},
    "tight 7/6/7": {"day": 7, "evening": 6, "night": 7},
}


def instance(
    guards: int = 30, days: int = 28, seed: int = 13, cover: dict[str, int] | None = None
) -> RosterProblem:
    rnd = random.Random(seed)
    leave = {3: range(3, 10), 11: range(10, 13), 19: range(20, 28), 25: range(0, 2)}
    people = []
    for i in range(guards):
        off = {(START + timedelta(days=rnd.randrange(days)), "*") for _ in range(2)}
        on = {(START + timedelta(days=rnd.randrange(days)), rnd.choice(SHIFTS).key)}
        people.append(
            Guard(
                key=f"g{i:02d}",
                name=f"保安{i:02d}",
                leave=frozenset(START + timedelta(days=d) for d in leave.get(i, ())),
                prefers_off=frozenset(off),
                prefers_on=frozenset(on),
                roles=frozenset({"leader"}) if i % 4 == 0 else frozenset(),
            )
        )
    return RosterProblem(
        start=START,
        days=days,
        shifts=SHIFTS,
        guards=tuple(people),
        cover=cover or COVERS["standard 6/5/6"],
        role_cover={("night", "leader"): 1},
    )


def run() -> list[dict]:
    return [row for name, cover in COVERS.items() for row in compare(name, instance(cover=cover))]


def compare(name: str, problem: RosterProblem) -> list[dict]:
    budget = 3.0 if QUICK else 10.0
    load = round(os.getloadavg()[0], 2)
    ours, base = solve(problem, time_limit_s=budget, workers=2), greedy(problem)
    rows = []
    for solver, result in (("cpsat", ours), ("greedy", base)):
        st = result.stats
        row = {
            "name": f"30 guards x 28 days, {name}",
            "solver": solver,
            "status": result.status,
            "violations": len(check(problem, result.assignments)),
            "nights_min": st.nights_min,
            "nights_max": st.nights_max,
            "nights_spread": st.nights_spread,
            "shifts_spread": st.shifts_max - st.shifts_min,
            "pref_hits": f"{st.preference_hits}/{st.preference_total}",
            "seconds": st.solve_seconds,
            "first_feasible_s": st.time_to_first_feasible,
            "load_1min": load,
        }
        if solver == "cpsat":
            bound, objective = st.best_bound or 0, st.objective or 0
            row["objective"] = objective
            row["deterministic_s"] = st.deterministic_s
            row["gap"] = round((objective - bound) / objective, 4) if objective else 0.0
            row["ratio"] = round(base.stats.nights_spread / max(st.nights_spread, 1), 2)
            row["pref_ratio"] = round(st.preference_hits / max(base.stats.preference_hits, 1), 2)
        rows.append(row)
    return rows
