"""Timing a route on the engine's clock, the reasons a stop cannot be
served even alone, and timing a plan made elsewhere."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from .geometry import Matrices, matrices, quantize
from .model import (
    CAPACITY,
    EPS,
    NO_COURIER,
    NOT_PLANNED,
    SHIFT,
    TOO_LATE,
    Plan,
    Problem,
    Route,
    Unserved,
    Visit,
)

# --------------------------------------------------------------- route timing


def _time_route(
    problem: Problem, mats: Matrices, ci: int, trips: Sequence[Sequence[int]]
) -> Route | None:
    """Earliest schedule of courier ``ci`` driving ``trips`` (stop indices), or
    None when it breaks a capacity, a window or the shift end."""
    courier = problem.couriers[ci]
    dur, dist = mats.duration_for(ci), mats.distance
    if courier.max_trips is not None and len(trips) > courier.max_trips:
        return None
    now, here, distance, visits, loads = courier.start_s, 0, 0.0, [], []
    for t, trip in enumerate(trips):
        load = sum(problem.stops[i].demand for i in trip)
        if load > courier.capacity:
            return None
        loads.append(load)
        now += problem.load_s
        for i in trip:
            stop = problem.stops[i]
            arrival = now + dur[here, i + 1]
            if arrival > stop.latest_s + EPS:
                return None
            eta = max(arrival, stop.earliest_s)
            visits.append(Visit(stop.id, t, arrival, eta))
            distance += dist[here, i + 1]
            now, here = eta + stop.service_s, i + 1
        now += dur[here, 0]
        distance += dist[here, 0]
        here = 0
    if now > courier.end_s + EPS:
        return None
    return Route(
        courier_id=courier.id,
        visits=tuple(visits),
        trips=len(trips),
        distance=float(distance),
        start_s=courier.start_s,
        end_s=float(now),
        loads=tuple(loads),
    )


# ------------------------------------------------------------ triage / reasons


def _direct(problem: Problem, mats: Matrices, i: int) -> list[Unserved] | None:
    """Why stop ``i`` cannot be served even alone, or None when some courier can."""
    stop = problem.stops[i]
    if not problem.couriers:
        return [Unserved(stop.id, NO_COURIER)]
    big = [k for k, c in enumerate(problem.couriers) if c.capacity >= stop.demand]
    if not big:
        cap = max(c.capacity for c in problem.couriers)
        return [Unserved(stop.id, CAPACITY, {"demand": stop.demand, "max_capacity": cap})]
    best_arrival, overshoot, facts = math.inf, math.inf, {}
    for k in big:
        courier, dur = problem.couriers[k], mats.duration_for(k)
        arrival = courier.start_s + problem.load_s + dur[0, i + 1]
        back = max(arrival, stop.earliest_s) + stop.service_s + dur[i + 1, 0]
        if arrival <= stop.latest_s + EPS and back <= courier.end_s + EPS:
            return None
        best_arrival = min(best_arrival, arrival)
        if arrival <= stop.latest_s + EPS and back - courier.end_s < overshoot:
            overshoot = back - courier.end_s
            facts = {"return_s": round(back, 1), "shift_end_s": courier.end_s}
    if facts:
        return [Unserved(stop.id, SHIFT, facts)]
    facts = {"arrival_s": round(best_arrival, 1), "latest_s": stop.latest_s}
    return [Unserved(stop.id, TOO_LATE, facts)]


def triage(problem: Problem, mats: Matrices | None = None) -> tuple[list[int], list[Unserved]]:
    """Split stops into those some courier could serve alone and those nobody
    can (with the reason): the planners only ever see the former."""
    mats = mats or matrices(problem)
    possible, impossible = [], []
    for i in range(len(problem.stops)):
        why = _direct(problem, mats, i)
        if why:
            impossible.extend(why)
        else:
            possible.append(i)
    return possible, impossible


def evaluate(problem: Problem, routes: dict[str, list[list[str]]], solver: str) -> Plan:
    """Time a plan made elsewhere (courier id -> trips of stop ids) on this
    module's clock, so plans from different solvers compare on equal terms.
    Stops it leaves out are "not_planned" (no check that they would fit).
    Raises ValueError naming the first infeasible route."""
    started = time.perf_counter()
    problem = quantize(problem)
    mats = matrices(problem)
    possible, impossible = triage(problem, mats)
    stop_index = {s.id: i for i, s in enumerate(problem.stops)}
    courier_index = {c.id: k for k, c in enumerate(problem.couriers)}
    visits = [sid for trips in routes.values() for t in trips for sid in t]
    if len(visits) != len(set(visits)):
        raise ValueError("a stop is visited more than once")
    if unknown := set(visits) - set(stop_index) or set(routes) - set(courier_index):
        raise ValueError(f"unknown stops or couriers: {sorted(unknown)}")
    timed, served = [], {stop_index[sid] for sid in visits}
    for cid, trips in routes.items():
        trips = [[stop_index[sid] for sid in t] for t in trips if t]
        if not trips:
            continue
        route = _time_route(problem, mats, courier_index[cid], trips)
        if route is None:
            raise ValueError(f"route of courier {cid} is infeasible")
        timed.append(route)
    left = [Unserved(problem.stops[i].id, NOT_PLANNED) for i in possible if i not in served]
    unserved = [u for u in impossible if stop_index[u.stop_id] not in served] + left
    unserved.sort(key=lambda u: stop_index[u.stop_id])
    return Plan(tuple(timed), tuple(unserved), solver, time.perf_counter() - started)
