"""Questions answered by planning repeatedly: how many couriers, and
how early a deadline."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import replace

from .geometry import Matrices, matrices
from .model import Courier, DeadlineAnswer, Plan, Problem, Sizing
from .solver import plan
from .timing import triage

# ------------------------------------------------------------------ questions


def couriers_needed(
    problem: Problem,
    template: Courier,
    *,
    seconds: float = 10.0,
    seed: int = 1,
    max_couriers: int = 200,
    planner: Callable[..., Plan] = plan,
) -> Sizing:
    """Smallest number of couriers like ``template`` (replacing today's fleet)
    that serves every stop that can be served at all.

    Starts at a count arithmetic says is needed (bags per trip, hand-off time
    per shift), doubles until a count succeeds, then binary-searches below it.
    Each solver call gets a tenth of ``seconds`` (at least 0.5 s), so a search
    takes up to about twice ``seconds`` for large fleets. The answer is the
    smallest count that succeeded with every smaller count tried having failed
    (``tried`` shows them), and no count above a success is ever tried."""
    possible, impossible = triage(replace(problem, couriers=(template,)))
    tried: list[tuple[int, int]] = []
    if not possible:
        return Sizing(0, None, tuple(impossible), ())
    per_call = max(0.5, seconds / 10)
    plans: dict[int, Plan] = {}

    def ok(k: int) -> bool:
        fleet = tuple(replace(template, id=f"{template.id}-{n + 1}") for n in range(k))
        p = planner(replace(problem, couriers=fleet), seconds=per_call, seed=seed)
        missing = len(p.unserved) - len(impossible)
        tried.append((k, missing))
        plans[k] = p
        return missing == 0

    lo, hi = 0, _lower_bound(problem, template, possible)  # lo fails (or is 0)
    while not ok(hi):
        lo = hi
        if hi >= max_couriers:
            return Sizing(None, None, tuple(impossible), tuple(tried))
        hi = min(max_couriers, hi * 2)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return Sizing(hi, plans[hi], tuple(impossible), tuple(tried))


def _lower_bound(problem: Problem, template: Courier, possible: list[int]) -> int:
    """A count below which serving everything is impossible by arithmetic:
    bags per courier-trip, and hand-off time per courier-shift."""
    servable = [problem.stops[i] for i in possible]
    bags = sum(s.demand for s in servable)
    trips = template.max_trips or 10**9
    by_load = math.ceil(bags / (template.capacity * trips))
    shift = max(1.0, template.end_s - template.start_s)
    by_time = math.ceil(sum(s.service_s for s in servable) / shift)
    return max(1, by_load, by_time)


def earliest_deadline(
    problem: Problem,
    *,
    seconds: float = 10.0,
    seed: int = 1,
    step_s: float = 60.0,
    latest_deadline_s: float | None = None,
    planner: Callable[..., Plan] = plan,
) -> DeadlineAnswer:
    """With today's couriers, the earliest common deadline (every stop's
    ``latest_s`` replaced by it) that serves every servable stop, to ``step_s``.

    Binary search between the earliest every stop can be reached directly
    and ``latest_deadline_s`` (default: the latest shift end); each solver
    call gets a tenth of ``seconds`` (at least 0.5 s)."""
    if not problem.couriers:
        _, impossible = triage(problem)
        return DeadlineAnswer(None, None, tuple(impossible), ())
    top = (
        latest_deadline_s
        if latest_deadline_s is not None
        else max(c.end_s for c in problem.couriers)
    )
    relaxed = _with_deadline(problem, top)
    mats = matrices(relaxed)
    possible, impossible = triage(relaxed, mats)
    tried: list[tuple[float, int]] = []
    if not possible:
        return DeadlineAnswer(None, None, tuple(impossible), ())
    per_call = max(0.5, seconds / 10)
    plans: dict[float, Plan] = {}

    def ok(deadline: float) -> bool:
        p = planner(_with_deadline(problem, deadline), seconds=per_call, seed=seed)
        missing = len(p.unserved) - len(impossible)
        tried.append((deadline, missing))
        plans[deadline] = p
        return missing == 0

    if not ok(top):
        return DeadlineAnswer(None, plans[top], tuple(impossible), tuple(tried))
    low = _earliest_possible(relaxed, mats, possible)  # nothing earlier can work
    lo_step, hi_step = math.floor(low / step_s) - 1, math.ceil(top / step_s)
    while hi_step - lo_step > 1:
        mid = (lo_step + hi_step) // 2
        if ok(mid * step_s):
            hi_step = mid
        else:
            lo_step = mid
    best = min(hi_step * step_s, top)
    if best not in plans:
        ok(best)
    return DeadlineAnswer(best, plans[best], tuple(impossible), tuple(tried))


def _with_deadline(problem: Problem, deadline: float) -> Problem:
    stops = tuple(replace(s, latest_s=deadline) for s in problem.stops)
    return replace(problem, stops=stops)


def _earliest_possible(problem: Problem, mats: Matrices, possible: Iterable[int]) -> float:
    """The latest of the stops' earliest direct hand-off times: a deadline
    before it cannot serve everyone whatever the plan."""
    worst = 0.0
    for i in possible:
        stop = problem.stops[i]
        first = min(
            max(c.start_s + problem.load_s + mats.duration_for(k)[0, i + 1], stop.earliest_s)
            for k, c in enumerate(problem.couriers)
            if c.capacity >= stop.demand
        )
        worst = max(worst, first)
    return worst
