"""One planning run (grouped search, original stops re-timed and
explained) and the nearest-neighbour baseline every search starts from."""

from __future__ import annotations

import math
import time

import numpy as np

from .geometry import Matrices, matrices, quantize
from .grouping import group_stops
from .model import EPS, Plan, Problem
from .repair import _finish
from .timing import triage

# ---------------------------------------------------------- nearest neighbour


def _nearest_routes(
    problem: Problem, mats: Matrices, possible: list[int]
) -> dict[int, list[list[int]]]:
    """Dispatcher's rule of thumb: whoever is free first drives to the nearest
    (by travel time) stop it can still reach in time, carry and come back
    from; when nothing fits the current load it goes back to reload."""
    stops = problem.stops
    todo = np.zeros(len(stops) + 1, dtype=bool)
    todo[[i + 1 for i in possible]] = True
    demand = np.array([0, *(s.demand for s in stops)])
    service = np.array([0.0, *(s.service_s for s in stops)])
    early = np.array([0.0, *(s.earliest_s for s in stops)])
    late = np.array([math.inf, *(s.latest_s for s in stops)])
    state = []  # per courier: [free_at, here, load, trips, open]
    routes: dict[int, list[list[int]]] = {}
    for ci, c in enumerate(problem.couriers):
        state.append([c.start_s + problem.load_s, 0, 0, 1, True])
        routes[ci] = [[]]
    while todo.any():
        active = [ci for ci, s in enumerate(state) if s[4]]
        if not active:
            break
        ci = min(active, key=lambda k: (state[k][0], k))
        now, here, load, trips, _ = state[ci]
        courier, dur = problem.couriers[ci], mats.duration_for(ci)
        arrival = now + dur[here]
        leave = np.maximum(arrival, early) + service
        ok = (
            todo
            & (arrival <= late + EPS)
            & (load + demand <= courier.capacity)
            & (leave + dur[:, 0] <= courier.end_s + EPS)
        )
        if ok.any():
            nxt = int(np.argmin(np.where(ok, dur[here], np.inf)))
            routes[ci][-1].append(nxt - 1)
            todo[nxt] = False
            state[ci][:3] = [leave[nxt], nxt, load + demand[nxt]]
        elif here != 0 and (courier.max_trips is None or trips < courier.max_trips):
            state[ci] = [now + dur[here, 0] + problem.load_s, 0, 0, trips + 1, True]
            routes[ci].append([])
        else:
            state[ci][4] = False
    return routes


def plan_nearest(problem: Problem) -> Plan:
    """Baseline planner: nearest-neighbour dispatch, then the same grouping,
    leftover insertion and reasons as :func:`plan`."""
    pipe = _Pipeline(problem, time.perf_counter())
    plan, _rows = pipe.nearest()
    return plan


class _Pipeline:
    """One planning run's two levels: the grouped problem every planner
    searches, and the original stops every plan is expanded back to, re-timed
    on, repaired (single orders may still fit where a group did not) and
    explained with."""

    def __init__(self, problem: Problem, started: float):
        self.started = started
        self.original = quantize(problem)
        self.grouped = group_stops(self.original)
        self.problem = self.grouped.problem
        self.mats = matrices(self.problem)
        self.possible, self.impossible = triage(self.problem, self.mats)
        if self.grouped.trivial:
            self.omats, self.opossible, self.oimpossible = self.mats, self.possible, self.impossible
        else:
            self.omats = matrices(self.original)
            self.opossible, self.oimpossible = triage(self.original, self.omats)

    def finish(self, routes: dict[int, list[list[int]]], solver: str):
        """(plan of the original stops, repaired grouped routes) or (None, None)
        when a route is infeasible."""
        gplan = _finish(
            self.problem, self.mats, routes, self.possible, self.impossible, solver, self.started
        )
        if gplan is None:
            return None, None
        rows = _trips_of(self.problem, gplan)
        if self.grouped.trivial:
            return gplan, rows
        members = self.grouped.members
        expanded = {
            ci: [[m for g in t for m in members[g]] for t in trips] for ci, trips in rows.items()
        }
        plan = _finish(
            self.original,
            self.omats,
            expanded,
            self.opossible,
            self.oimpossible,
            solver,
            self.started,
        )
        return plan, rows

    def nearest(self):
        routes = _nearest_routes(self.problem, self.mats, self.possible)
        plan, rows = self.finish(routes, "nearest")
        if plan is None:  # the dispatcher only ever makes feasible moves
            raise AssertionError("nearest-neighbour produced an infeasible route")
        return plan, rows


def _trips_of(problem: Problem, plan: Plan) -> dict[int, list[list[int]]]:
    """Courier index -> trips of stop indices, read back from a plan."""
    stop_index = {s.id: i for i, s in enumerate(problem.stops)}
    courier_index = {c.id: k for k, c in enumerate(problem.couriers)}
    routes: dict[int, list[list[int]]] = {}
    for route in plan.routes:
        trips = [[] for _ in range(route.trips)]
        for v in route.visits:
            trips[v.trip].append(stop_index[v.stop_id])
        routes[courier_index[route.courier_id]] = trips
    return routes
