"""Leftover insertion (the repair every plan gets, and the proof behind
the "no_time" reason) and assembling timed plans."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .geometry import Matrices
from .model import EPS, NO_TIME, Plan, Problem, Unserved
from .timing import _time_route

# ---------------------------------------------------- insertion (repair + proof)


class _Tour:
    """A courier's route as a node sequence (0 = market, i+1 = stop i) with the
    forward departure times and backward latest arrivals that make a feasibility
    check of one insertion O(1) per position."""

    def __init__(self, problem: Problem, mats: Matrices, ci: int, trips: list[list[int]]):
        self.problem, self.ci = problem, ci
        self.courier = problem.couriers[ci]
        self.dur, self.dist = mats.duration_for(ci), mats.distance
        self.trips = [list(t) for t in trips if t]
        self._index()

    def _index(self) -> None:
        p, c = self.problem, self.courier
        nodes, is_depot, load_of = [0], [True], []
        for trip in self.trips:
            load = sum(p.stops[i].demand for i in trip)
            load_of.append(load)
            for i in trip:
                nodes.append(i + 1)
                is_depot.append(False)
            nodes.append(0)
            is_depot.append(True)
        if not self.trips:
            nodes.append(0)
            is_depot.append(True)
        n = len(nodes)
        svc = np.array(
            [
                p.load_s if d else p.stops[v - 1].service_s
                for v, d in zip(nodes, is_depot, strict=True)
            ]
        )
        early = np.array(
            [0.0 if d else p.stops[v - 1].earliest_s for v, d in zip(nodes, is_depot, strict=True)]
        )
        late = np.array(
            [
                math.inf if d else p.stops[v - 1].latest_s
                for v, d in zip(nodes, is_depot, strict=True)
            ]
        )
        node_arr = np.array(nodes)
        leg = self.dur[node_arr[:-1], node_arr[1:]]
        depart = np.empty(n)
        depart[0] = c.start_s + p.load_s
        for k in range(1, n):
            depart[k] = max(depart[k - 1] + leg[k - 1], early[k]) + svc[k]
        latest = np.empty(n)
        latest[-1] = c.end_s
        for k in range(n - 2, -1, -1):
            latest[k] = min(late[k], latest[k + 1] - leg[k] - svc[k])
        # trip load carried on the edge leaving node k
        edge_load = np.zeros(n - 1, dtype=np.int64)
        t = -1
        for k in range(n - 1):
            if is_depot[k]:
                t += 1
            edge_load[k] = load_of[t] if load_of else 0
        self.nodes, self.is_depot = node_arr, np.array(is_depot)
        self.depart, self.latest, self.edge_load = depart, latest, edge_load

    def best_insertions(self, cands: np.ndarray, attrs: _StopArrays) -> tuple[np.ndarray, list]:
        """For each candidate stop index, the least added distance of a
        feasible insertion (inf when none) and the move that achieves it.
        Vectorised over positions × candidates, in chunks to bound memory."""
        cost = np.full(len(cands), np.inf)
        moves: list = [None] * len(cands)
        for lo in range(0, len(cands), 256):
            chunk = cands[lo : lo + 256]
            c_cost, c_move = self._into(chunk, attrs)
            for k, (value, move) in enumerate(self._new_trips(chunk, attrs)):
                if value < c_cost[k]:
                    c_cost[k], c_move[k] = value, move
            cost[lo : lo + len(chunk)] = c_cost
            moves[lo : lo + len(chunk)] = c_move
        return cost, moves

    def _into(self, chunk: np.ndarray, attrs: _StopArrays) -> tuple[np.ndarray, list]:
        """Insertion between two consecutive nodes of an existing trip."""
        v = chunk + 1
        a, b = self.nodes[:-1], self.nodes[1:]
        arrival = self.depart[:-1, None] + self.dur[np.ix_(a, v)]
        start = np.maximum(arrival, attrs.early[chunk])
        arrive_next = start + attrs.service[chunk] + self.dur[np.ix_(v, b)].T
        ok = (
            (arrival <= attrs.late[chunk] + EPS)
            & (arrive_next <= self.latest[1:, None] + EPS)
            & (self.edge_load[:, None] + attrs.demand[chunk] <= self.courier.capacity)
        )
        added = self.dist[np.ix_(a, v)] + self.dist[np.ix_(v, b)].T - self.dist[a, b][:, None]
        added = np.where(ok, added, np.inf)
        where = np.argmin(added, axis=0)
        best = added[where, np.arange(len(chunk))]
        return best, [
            ("into", int(k)) if np.isfinite(c) else None for k, c in zip(where, best, strict=True)
        ]

    def _new_trips(self, chunk: np.ndarray, attrs: _StopArrays):
        """Each candidate alone on a new trip, before any trip or after the
        last, when the courier may make one more trip: (added distance, move)."""
        out = [(np.inf, None)] * len(chunk)
        mt = self.courier.max_trips
        if not self.trips or (mt is not None and len(self.trips) >= mt):
            return out
        v = chunk + 1
        fits = attrs.demand[chunk] <= self.courier.capacity
        added = self.dist[0, v] + self.dist[v, 0]
        # (time we can leave the market on the new trip, latest back there)
        slots = [
            (
                self.depart[k],
                self.latest[k + 1] - self.problem.load_s - self.dur[0, self.nodes[k + 1]],
                ("trip", int(k)),
            )
            for k in np.flatnonzero(self.is_depot[:-1])
            if not self.is_depot[k + 1]
        ]
        back_at_market = self.depart[-2] + self.dur[self.nodes[-2], 0]
        slots.append(
            (
                back_at_market + self.problem.load_s,
                self.courier.end_s,
                ("last", len(self.nodes) - 1),
            )
        )
        for leave, due, move in slots:
            arrival = leave + self.dur[0, v]
            back = np.maximum(arrival, attrs.early[chunk]) + attrs.service[chunk] + self.dur[v, 0]
            ok = fits & (arrival <= attrs.late[chunk] + EPS) & (back <= due + EPS)
            for k in np.flatnonzero(ok):
                if added[k] < out[k][0]:
                    out[k] = (float(added[k]), move)
        return out

    def apply(self, i: int, move: tuple) -> None:
        kind, k = move
        if kind == "last":
            self.trips.append([i])
            self._index()
            return
        # position k in the node sequence -> (trip, place in trip)
        t, pos = -1, 0
        for j in range(k + 1):
            if self.is_depot[j]:
                t, pos = t + 1, 0
            else:
                pos += 1
        if kind == "trip":
            self.trips.insert(t, [i])
        elif not self.trips:
            self.trips.append([i])
        else:
            self.trips[t].insert(pos, i)
        self._index()


@dataclass(frozen=True)
class _StopArrays:
    early: np.ndarray
    late: np.ndarray
    service: np.ndarray
    demand: np.ndarray

    @classmethod
    def of(cls, problem: Problem) -> _StopArrays:
        stops = problem.stops
        return cls(
            early=np.array([s.earliest_s for s in stops], dtype=float),
            late=np.array([s.latest_s for s in stops], dtype=float),
            service=np.array([s.service_s for s in stops], dtype=float),
            demand=np.array([s.demand for s in stops], dtype=np.int64),
        )


def _repair(
    problem: Problem, mats: Matrices, routes: dict[int, list[list[int]]], left: list[int]
) -> tuple[dict[int, list[list[int]]], list[int]]:
    """Insert leftover stops wherever they still fit (earliest deadline first,
    each where it adds the least distance), until none fits. What remains
    provably has no room in any route of the plan: the "no_time" reason.

    Every tour's options for all leftovers are computed at once and only
    recomputed for the tour that just received a stop."""
    attrs = _StopArrays.of(problem)
    tours = [_Tour(problem, mats, ci, routes.get(ci, [])) for ci in range(len(problem.couriers))]
    left = sorted(left, key=lambda i: (problem.stops[i].latest_s, i))
    changed = True
    while changed and left:
        changed, still = False, []
        cands = np.array(left, dtype=np.int64)
        options = [t.best_insertions(cands, attrs) for t in tours]
        row = {i: k for k, i in enumerate(left)}
        for p, i in enumerate(left):
            costs = [opt[0][row[i]] for opt in options]
            ci = int(np.argmin(costs))
            if not np.isfinite(costs[ci]):
                still.append(i)
                continue
            tours[ci].apply(i, options[ci][1][row[i]])
            changed = True
            rest = cands[p + 1 :]  # only the stops still to come this pass
            cost, moves = tours[ci].best_insertions(rest, attrs)
            full_cost = np.full(len(left), np.inf)
            full_moves: list = [None] * len(left)
            for j, c, m in zip(rest, cost, moves, strict=True):
                full_cost[row[j]], full_moves[row[j]] = c, m
            options[ci] = (full_cost, full_moves)
        left = still
    return {t.ci: t.trips for t in tours if t.trips}, left


# ------------------------------------------------------------ assembling plans


def _assemble(
    problem: Problem,
    mats: Matrices,
    routes: dict[int, list[list[int]]],
    impossible: list[Unserved],
    left: list[int],
    solver: str,
    started: float,
) -> Plan | None:
    """Time every route; None when one of them is infeasible."""
    timed = []
    for ci in sorted(routes):
        trips = [t for t in routes[ci] if t]
        if not trips:
            continue
        route = _time_route(problem, mats, ci, trips)
        if route is None:
            return None
        timed.append(route)
    no_time = [Unserved(problem.stops[i].id, NO_TIME) for i in left]
    order = {s.id: k for k, s in enumerate(problem.stops)}
    unserved = sorted([*impossible, *no_time], key=lambda u: order[u.stop_id])
    return Plan(tuple(timed), tuple(unserved), solver, time.perf_counter() - started)


def _finish(problem, mats, routes, possible, impossible, solver, started) -> Plan | None:
    served = {i for trips in routes.values() for t in trips for i in t}
    left = [i for i in possible if i not in served]
    routes, left = _repair(problem, mats, routes, left)
    return _assemble(problem, mats, routes, impossible, left, solver, started)
