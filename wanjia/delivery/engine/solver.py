"""The integer model and the PyVRP search behind :func:`plan`."""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from .geometry import Matrices
from .model import EPS, TIME_RES, Plan, Problem
from .pipeline import _Pipeline

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
