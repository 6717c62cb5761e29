"""Courier route planner: dataclasses in, dataclasses out, no Django inside.

The problem is a vehicle routing problem with time windows, capacities, reloads
at the depot (the market) and one shift per courier. It is solved with PyVRP's
iterated local search under a fixed seed and a wall-clock budget.

Conventions (the same for every planner in this module, so their plans compare):

* Times are seconds from a day origin (midnight, or whatever the caller picks).
  A stop's ``latest_s`` is the latest time its hand-off may *start* (the
  Solomon convention); ``eta_s`` is when the hand-off starts.
* Travel time = distance × detour ÷ courier speed, or an imported duration
  matrix. Reported distances are travelled distances (metric × detour), in the
  input's units (metres for geographic points).
* A courier leaves the market at ``start_s``, spends ``load_s`` loading at the
  start of every trip, may go back to reload (``max_trips`` trips at most, no
  limit when ``None``) and must be back at the market by ``end_s``.
* Every schedule is the *earliest* one: leave at shift start, never wait except
  for a stop's ``earliest_s``. Any feasible plan is feasible with it.
* Stops nobody can serve come back in ``Plan.unserved`` with a reason code and
  the facts behind it; nothing is dropped silently.

PyVRP needs integers. Every time is first put on a 0.1 s tick the safe way
(``quantize``: travel and service times and earliest times rounded up, latest
times and shift ends down), so a plan feasible on the tick is feasible for the
exact figures too, and our clock and PyVRP's agree to the tick; distances are
scaled to five significant digits or better. Every returned route is re-timed
here from ``matrices(problem)``, whatever produced it.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

TIME_RES = 10  # solver ticks per second
EPS = 1e-6  # float slack when comparing times computed along a route
METRICS = ("euclidean", "manhattan", "haversine")
EARTH_RADIUS_M = 6_371_008.8

# Reason codes for unserved stops (rendered into words by instances.explain).
CAPACITY = "capacity"  # demand above every courier's capacity
TOO_LATE = "too_late"  # even going there directly at shift start is too late
SHIFT = "shift"  # reachable in time, but no courier could be back by shift end
NO_COURIER = "no_courier"  # the plan has no couriers at all
NO_TIME = "no_time"  # servable alone, but no route of the plan has room for it
NOT_PLANNED = "not_planned"  # left out by an outside plan (see evaluate); unchecked
REASONS = (CAPACITY, TOO_LATE, SHIFT, NO_COURIER, NO_TIME, NOT_PLANNED)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Point:
    """Planar ``x, y``; for geographic problems ``x`` is longitude, ``y`` latitude."""

    x: float
    y: float

    @classmethod
    def latlng(cls, lat: float, lng: float) -> Point:
        return cls(x=lng, y=lat)


@dataclass(frozen=True)
class Stop:
    id: str
    point: Point
    demand: int = 1  # bags
    service_s: float = 0.0  # hand-off time, floors included by the caller
    earliest_s: float = 0.0
    latest_s: float = math.inf


@dataclass(frozen=True)
class Courier:
    id: str
    capacity: int  # bags per trip
    speed: float  # distance units per second (m/s for geographic problems)
    start_s: float
    end_s: float  # back at the market by then
    kind: str = ""
    max_trips: int | None = None  # None: reload as often as needed


@dataclass(frozen=True)
class Problem:
    depot: Point
    stops: tuple[Stop, ...]
    couriers: tuple[Courier, ...]
    metric: str = "euclidean"
    geographic: bool = False  # points are lng/lat degrees
    detour: float = 1.0  # road distance ÷ metric distance
    load_s: float = 0.0  # loading time at the market at the start of each trip
    # Imported matrices, depot first then stops in order. Distances are used as
    # travelled (no detour applied); durations, when given, for every courier.
    distance_matrix: np.ndarray | None = field(default=None, compare=False, repr=False)
    duration_matrix: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}")
        if self.metric == "haversine" and not self.geographic:
            raise ValueError("haversine needs geographic (lat/lng) points")
        n = len(self.stops) + 1
        for name in ("distance_matrix", "duration_matrix"):
            m = getattr(self, name)
            if m is not None and np.shape(m) != (n, n):
                raise ValueError(f"{name} must be {n}×{n} (depot first, then the stops)")


@dataclass(frozen=True)
class Visit:
    stop_id: str
    trip: int  # 0-based trip of the courier's route
    arrival_s: float
    eta_s: float  # hand-off starts (after waiting for earliest_s if early)


@dataclass(frozen=True)
class Route:
    courier_id: str
    visits: tuple[Visit, ...]
    trips: int
    distance: float
    start_s: float  # leaves the market
    end_s: float  # back at the market
    loads: tuple[int, ...]  # bags per trip

    @property
    def duration(self) -> float:
        return self.end_s - self.start_s

    @property
    def reloads(self) -> int:
        return max(0, self.trips - 1)


@dataclass(frozen=True)
class Unserved:
    stop_id: str
    code: str  # one of REASONS
    facts: dict = field(default_factory=dict)  # the numbers behind the reason


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]  # couriers with at least one stop
    unserved: tuple[Unserved, ...]
    solver: str  # "pyvrp", "nearest" (baseline) or "nearest-fallback"
    runtime_s: float

    @property
    def served(self) -> int:
        return sum(len(r.visits) for r in self.routes)

    @property
    def total_distance(self) -> float:
        return sum(r.distance for r in self.routes)

    @property
    def total_duration(self) -> float:
        return sum(r.duration for r in self.routes)

    @property
    def finish_s(self) -> float | None:
        """Last hand-off of the plan, or None when nothing is served."""
        etas = [v.eta_s for r in self.routes for v in r.visits]
        return max(etas) if etas else None


@dataclass(frozen=True)
class Sizing:
    """Answer to "how many couriers of this kind serve everything?"."""

    count: int | None  # None: no count up to the limit serves every servable stop
    plan: Plan | None  # the plan found with ``count`` couriers
    impossible: tuple[Unserved, ...]  # stops no number of couriers can serve
    tried: tuple[tuple[int, int], ...]  # (couriers, unserved) per solver call


@dataclass(frozen=True)
class DeadlineAnswer:
    """Answer to "with today's couriers, what is the earliest deadline?"."""

    deadline_s: float | None  # None: not even the latest deadline tried works
    plan: Plan | None
    impossible: tuple[Unserved, ...]
    tried: tuple[tuple[float, int], ...]  # (deadline, unserved) per solver call


# ------------------------------------------------------------------- geometry


def _planar(points: np.ndarray, geographic: bool) -> np.ndarray:
    """Points as planar coordinates; lng/lat degrees become local metres
    (equirectangular around the mean latitude: exact enough within a city)."""
    if not geographic:
        return points
    lat0 = math.radians(float(points[:, 1].mean()))
    metres_per_deg = math.pi * EARTH_RADIUS_M / 180
    return np.column_stack(
        (points[:, 0] * metres_per_deg * math.cos(lat0), points[:, 1] * metres_per_deg)
    )


def _haversine(points: np.ndarray) -> np.ndarray:
    lng, lat = np.radians(points[:, 0]), np.radians(points[:, 1])
    dlat = lat[:, None] - lat[None, :]
    dlng = lng[:, None] - lng[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def metric_matrix(points: Sequence[Point], metric: str, geographic: bool = False) -> np.ndarray:
    """Pairwise distances by the given metric, without detour."""
    xy = np.array([(p.x, p.y) for p in points], dtype=float).reshape(-1, 2)
    if metric == "haversine":
        return _haversine(xy)
    xy = _planar(xy, geographic)
    diff = np.abs(xy[:, None, :] - xy[None, :, :])
    if metric == "manhattan":
        return diff.sum(axis=2)
    return np.sqrt((diff**2).sum(axis=2))


@dataclass(frozen=True)
class Matrices:
    """Travelled distances and per-courier travel times, depot at index 0."""

    distance: np.ndarray
    durations: dict[int, np.ndarray]  # profile -> seconds
    profile_of: tuple[int, ...]  # courier index -> profile

    def duration_for(self, courier_index: int) -> np.ndarray:
        return self.durations[self.profile_of[courier_index]]


def matrices(problem: Problem) -> Matrices:
    """The matrices every planner and checker in this project times routes with."""
    if problem.distance_matrix is not None:
        distance = np.asarray(problem.distance_matrix, dtype=float)
    else:
        points = [problem.depot, *(s.point for s in problem.stops)]
        distance = metric_matrix(points, problem.metric, problem.geographic) * problem.detour
    durations: dict[int, np.ndarray] = {}
    profile_of = []
    keys: dict[float, int] = {}
    for courier in problem.couriers:
        key = 0.0 if problem.duration_matrix is not None else float(courier.speed)
        if key not in keys:
            keys[key] = len(keys)
            if problem.duration_matrix is not None:
                seconds = np.asarray(problem.duration_matrix, dtype=float)
            else:
                seconds = distance / courier.speed
            durations[keys[key]] = _up(seconds)
        profile_of.append(keys[key])
    return Matrices(distance=distance, durations=durations, profile_of=tuple(profile_of))


def _up(seconds):
    """Round times up to the solver's tick, so our clock and PyVRP's agree."""
    return np.ceil(np.asarray(seconds, dtype=float) * TIME_RES - EPS) / TIME_RES + 0.0  # no -0.0


def _down(seconds: float) -> float:
    return math.floor(seconds * TIME_RES + EPS) / TIME_RES if math.isfinite(seconds) else seconds


def quantize(problem: Problem) -> Problem:
    """The problem with every time on the solver's tick, rounded the safe way
    (durations and earliest times up, latest times down), so a plan feasible
    for it is feasible for the original too."""
    stops = tuple(
        replace(
            s,
            service_s=float(_up(s.service_s)),
            earliest_s=float(_up(s.earliest_s)),
            latest_s=_down(s.latest_s),
        )
        for s in problem.stops
    )
    couriers = tuple(
        replace(c, start_s=float(_up(c.start_s)), end_s=_down(c.end_s)) for c in problem.couriers
    )
    return replace(problem, stops=stops, couriers=couriers, load_s=float(_up(problem.load_s)))


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


# ----------------------------------------------------------------- grouping


@dataclass(frozen=True)
class Grouped:
    problem: Problem  # one stop per group
    members: tuple[tuple[int, ...], ...]  # group -> original stop indices, hand-off order

    @property
    def trivial(self) -> bool:
        return all(len(m) == 1 for m in self.members)


def group_stops(problem: Problem) -> Grouped:
    """Orders for the same door (same point, same window) become one stop of
    at most the smallest courier's capacity, so that every courier can carry
    any group: "bags for one building or unit may be grouped into one stop".
    The group's hand-off time is the sum of its members'; its latest start
    leaves room for every member to start in its window (the member with the
    longest hand-off goes last). Imported matrices are never grouped: two
    stops at one point may still have different rows there."""
    n = len(problem.stops)
    imported = problem.distance_matrix is not None or problem.duration_matrix is not None
    if not problem.couriers or imported:
        return Grouped(problem, tuple((i,) for i in range(n)))
    cap = min(c.capacity for c in problem.couriers)
    buckets: dict[tuple, list[int]] = {}
    for i, s in enumerate(problem.stops):
        door = (s.point.x, s.point.y, s.earliest_s, s.latest_s)
        buckets.setdefault(door if s.demand <= cap else ("alone", i), []).append(i)
    groups = sorted((g for idxs in buckets.values() for g in _chunks(problem, idxs, cap)), key=min)
    taken = {s.id for s in problem.stops}
    stops = tuple(_merged(problem, g, k, taken) for k, g in enumerate(groups))
    return Grouped(replace(problem, stops=stops), tuple(groups))


def _chunks(problem: Problem, idxs: list[int], cap: int) -> list[tuple[int, ...]]:
    """Consecutive chunks (members by hand-off time, longest last) that fit
    one trip of the smallest courier and whose last member starts in time."""
    idxs = sorted(idxs, key=lambda i: (problem.stops[i].service_s, i))
    out, current = [], []
    for i in idxs:
        trial = [*current, i]
        if current and (
            sum(problem.stops[j].demand for j in trial) > cap
            or _group_latest(problem, trial) < problem.stops[i].earliest_s
        ):
            out.append(tuple(current))
            trial = [i]
        current = trial
    if current:
        out.append(tuple(current))
    return out


def _group_latest(problem: Problem, members: Sequence[int]) -> float:
    """Latest start of the group such that every member starts by its latest_s."""
    before, latest = 0.0, math.inf
    for i in members:
        latest = min(latest, problem.stops[i].latest_s - before)
        before += problem.stops[i].service_s
    return latest


def _merged(problem: Problem, members: tuple[int, ...], k: int, taken: set[str]) -> Stop:
    first = problem.stops[members[0]]
    if len(members) == 1:
        return first
    sid = f"group{k}:{first.id}"
    while sid in taken:
        sid = "_" + sid
    taken.add(sid)
    return Stop(
        id=sid,
        point=first.point,
        demand=sum(problem.stops[i].demand for i in members),
        service_s=sum(problem.stops[i].service_s for i in members),
        earliest_s=first.earliest_s,
        latest_s=_group_latest(problem, members),
    )


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


# ---------------------------------------------------------------------- PyVRP


def _ticks_up(seconds) -> np.ndarray:
    return np.ceil(np.asarray(seconds, dtype=float) * TIME_RES - EPS).astype(np.int64)


def _ticks_down(seconds: float) -> int:
    if math.isinf(seconds):
        return HORIZON
    return int(math.floor(seconds * TIME_RES + EPS))


HORIZON = 10**12  # ticks: "unconstrained" without overflowing the solvers' sums


def _distance_scale(distance: np.ndarray) -> float:
    """Power of ten that puts the largest distance between 1,000 and 10,000.

    Not finer: PyVRP's penalties per unit of excess load or time warp are
    capped (100,000 by default), and a stop's prize must stay below them, or
    the search prefers overloading a trip to leaving a stop out. Exact for
    Solomon files (distances in tenths) and metre-exact for a city."""
    top = float(distance.max()) if distance.size else 0.0
    if top <= 0:
        return 1.0
    return float(10 ** min(6, max(0, math.floor(4 - math.log10(top)))))


@dataclass(frozen=True)
class IntegerModel:
    """The problem as integers, over the depot (row 0) and the grouped stops
    some courier could serve alone (row n+1 for ``possible[n]``). PyVRP gets
    exactly this; the benchmark hands the same to OR-Tools."""

    problem: Problem  # grouped and quantized
    mats: Matrices
    possible: tuple[int, ...]
    scale: float  # integer distance = distance × scale
    distance: np.ndarray
    durations: tuple[np.ndarray, ...]  # per profile, ticks
    demand: np.ndarray
    service: np.ndarray  # ticks, depot first (its load time)
    early: np.ndarray
    late: np.ndarray
    prize: int  # for serving a stop: more than the detour to reach it can cost
    pipe: _Pipeline = field(repr=False, compare=False)

    def stop_ids(self, row: int) -> list[str]:
        """The original stop ids a visit to ``row`` serves, in hand-off order."""
        group = self.possible[row - 1]
        return [self.pipe.original.stops[i].id for i in self.pipe.grouped.members[group]]

    def nearest_rows(self) -> dict[int, list[list[int]]]:
        """The nearest-neighbour plan as courier index -> trips of rows."""
        _plan, routes = self.pipe.nearest()
        row = {g: r + 1 for r, g in enumerate(self.possible)}
        return {ci: [[row[g] for g in t] for t in trips] for ci, trips in routes.items()}


def integer_model(problem: Problem, pipe: _Pipeline | None = None) -> IntegerModel:
    pipe = pipe or _Pipeline(problem, time.perf_counter())
    problem, mats, possible = pipe.problem, pipe.mats, pipe.possible
    scale = _distance_scale(mats.distance)
    where = [0, *(i + 1 for i in possible)]
    sub = np.ix_(where, where)
    dist = np.rint(mats.distance[sub] * scale).astype(np.int64)
    stops = [problem.stops[i] for i in possible]
    return IntegerModel(
        problem=problem,
        mats=mats,
        possible=tuple(possible),
        scale=scale,
        distance=dist,
        durations=tuple(_ticks_up(mats.durations[p][sub]) for p in sorted(mats.durations)),
        demand=np.array([0, *(s.demand for s in stops)], dtype=np.int64),
        service=_ticks_up([problem.load_s, *(s.service_s for s in stops)]),
        early=_ticks_up([0.0, *(s.earliest_s for s in stops)]),
        late=np.array([HORIZON, *(_ticks_down(s.latest_s) for s in stops)], dtype=np.int64),
        prize=int(10 * max(1, dist.max()) + 1),
        pipe=pipe,
    )


def _pyvrp_model(model: IntegerModel, *, required: bool = False):
    """PyVRP data; couriers alike share a vehicle type (less symmetry for the
    search). Returns the data and, per vehicle type, its courier indices.
    ``required``: every stop must be served (only when a plan is known to
    serve them all); otherwise stops are optional with ``model.prize``."""
    import pyvrp

    problem, mats = model.problem, model.mats
    pts = [problem.depot, *(problem.stops[i].point for i in model.possible)]
    clients = [
        pyvrp.Client(
            location=n,
            delivery=[int(model.demand[n])],
            service_duration=int(model.service[n]),
            tw_early=int(model.early[n]),
            tw_late=int(model.late[n]),
            prize=0 if required else model.prize,
            required=required,
        )
        for n in range(1, len(pts))
    ]
    groups: dict[tuple, list[int]] = {}
    for ci, c in enumerate(problem.couriers):
        key = (c.capacity, mats.profile_of[ci], c.start_s, c.end_s, c.max_trips)
        groups.setdefault(key, []).append(ci)
    types = []
    for (cap, profile, start, end, max_trips), cis in groups.items():
        extra = {} if max_trips is None else {"max_reloads": max(0, max_trips - 1)}
        types.append(
            pyvrp.VehicleType(
                num_available=len(cis),
                capacity=[int(cap)],
                tw_early=int(_ticks_up(start)),
                tw_late=_ticks_down(end),
                profile=profile,
                reload_depots=[0] if max_trips != 1 else [],
                **extra,
            )
        )
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x=float(p.x), y=float(p.y)) for p in pts],
        clients=clients,
        depots=[pyvrp.Depot(location=0, service_duration=int(model.service[0]))],
        vehicle_types=types,
        distance_matrices=[model.distance] * len(model.durations),
        duration_matrices=list(model.durations),
    )
    return data, list(groups.values())


def _initial(data, members, possible, routes: dict[int, list[list[int]]]):
    """A PyVRP solution from our own routes (the warm start)."""
    import pyvrp

    index = {i: n for n, i in enumerate(possible)}
    type_of = {ci: t for t, cis in enumerate(members) for ci in cis}
    built = []
    for ci, trips in routes.items():
        trips = [t for t in trips if t]
        if not trips:
            continue
        acts = []  # start and end depots are implied; a depot in between is a reload
        for t, trip in enumerate(trips):
            if t:
                acts.append(pyvrp.Activity(pyvrp.ActivityType.DEPOT, 0))
            acts += [pyvrp.Activity(pyvrp.ActivityType.CLIENT, index[i]) for i in trip]
        built.append(pyvrp.Route(data, acts, type_of[ci]))
    return pyvrp.Solution(data, built)


def _decode(solution, members, possible) -> dict[int, list[list[int]]]:
    """PyVRP routes -> courier index -> trips of stop indices."""
    free = [list(cis) for cis in members]
    routes: dict[int, list[list[int]]] = {}
    for route in solution.routes():
        ci = free[route.vehicle_type()].pop(0)
        trips: dict[int, list[int]] = {}
        for act in route.schedule():
            if act.is_client():
                trips.setdefault(act.trip, []).append(possible[act.idx])
        routes[ci] = [trips[t] for t in sorted(trips)]
    return routes


class _Deadline:
    """Stopping criterion on an absolute clock, so model building and the
    initial local search count against the caller's budget too."""

    def __init__(self, at: float):
        self.at = at

    def __call__(self, best_cost: int) -> bool:
        return time.perf_counter() >= self.at


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


def _better(a: Plan, b: Plan) -> Plan:
    """Orders served first, then distance."""
    return a if (-a.served, a.total_distance) <= (-b.served, b.total_distance) else b


def plan(
    problem: Problem,
    *,
    seconds: float = 10.0,
    seed: int = 1,
    progress: Callable[[float], None] | None = None,
) -> Plan:
    """Plan routes with PyVRP within ``seconds`` of wall clock, everything
    included (fixed ``seed``: on an idle machine the same problem and budget
    give the same plan). ``progress`` is called with the elapsed share of the
    budget, about once a second (a background job's progress bar).

    The search starts from the nearest-neighbour plan, and the result is never
    worse than that plan (orders served first, then distance)."""
    started = time.perf_counter()
    pipe = _Pipeline(problem, started)
    baseline, best_rows = pipe.nearest()
    if not pipe.possible or not pipe.problem.couriers:
        return replace(baseline, solver="pyvrp", runtime_s=time.perf_counter() - started)
    model = integer_model(problem, pipe)
    possible = list(model.possible)
    # When the baseline already serves every stop that can be served, serving
    # them all becomes a constraint and the search spends itself on distance.
    everyone = sum(len(t) for trips in best_rows.values() for t in trips) == len(possible)
    data, members = _pyvrp_model(model, required=everyone)
    big = len(possible) > EXHAUSTIVE_UP_TO
    # Big instances run in rounds with our insertion repair in between: the
    # search only revisits left-out stops near the ones it perturbs, so many
    # that would still fit stay out otherwise. The last repair takes about as
    # long as the baseline took, which is kept back from the budget.
    rounds = max(1, min(ROUNDS, int(seconds // ROUND_S))) if big else 1
    reserve = min(seconds * 0.2, time.perf_counter() - started)
    ticker = _Ticker(started, seconds, progress)
    best = baseline
    for r in range(rounds):
        end = started + (seconds - reserve) * (r + 1) / rounds
        init = _initial(data, members, possible, best_rows)
        solution = _search(data, init, end, seed + r, big, ticker)
        if solution is None:
            continue
        found, rows = pipe.finish(_decode(solution, members, possible), "pyvrp")
        if found is not None and _better(found, best) is found:
            best, best_rows = found, rows
    if best.solver == "nearest":
        best = replace(best, solver="nearest-fallback")
    if progress:
        progress(1.0)
    return replace(best, runtime_s=time.perf_counter() - started)


def _search(data, init, end: float, seed: int, big: bool, ticker):
    """One PyVRP run from ``init`` until ``end``; its best feasible solution or None."""
    import pyvrp
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.search import NeighbourhoodParams
    from pyvrp.stop import MultipleCriteria, NoImprovement

    params = pyvrp.SolveParams(
        # An exhaustive search on every new best pays off on small instances;
        # on long routes it eats the budget (seconds per call at 2,000 stops).
        ils=pyvrp.IteratedLocalSearchParams(exhaustive_on_best=not big, callbacks=ticker),
        neighbourhood=NeighbourhoodParams(num_neighbours=min(50, max(1, data.num_clients - 1))),
    )
    with warnings.catch_warnings():
        # PyVRP warns when its penalties saturate; an infeasible result is
        # handled by the caller (the baseline stands), so the warning is noise.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(
            data,
            stop=MultipleCriteria([_Deadline(end), NoImprovement(NO_IMPROVEMENT)]),
            seed=seed,
            collect_stats=False,
            display=False,
            params=params,
            initial_solution=init,
        )
    return result.best if result.best.is_feasible() else None


class _Ticker:
    """PyVRP callbacks that report the elapsed share of the budget, at most
    once a second. Subclasses nothing so that importing this module does not
    import PyVRP; PyVRP only calls the hooks below."""

    def __init__(self, started: float, seconds: float, progress):
        self.started, self.seconds, self.progress = started, max(seconds, 1e-9), progress
        self.last = started

    def on_iteration(self, *args) -> None:
        now = time.perf_counter()
        if self.progress and now - self.last >= 1.0:
            self.last = now
            self.progress(min(1.0, (now - self.started) / self.seconds))

    def on_start(self, *args) -> None: ...
    def on_end(self, *args) -> None: ...
    def on_restart(self, *args) -> None: ...
    def on_best(self, *args) -> None: ...


ROUNDS = 4  # at most, for big instances
ROUND_S = 15  # seconds: shorter rounds spend themselves on PyVRP's set-up
NO_IMPROVEMENT = 20_000  # iterations: small instances stop early once settled
EXHAUSTIVE_UP_TO = 400  # stops


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
