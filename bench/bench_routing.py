"""Route planning: our PyVRP planner against a nearest-neighbour baseline and
OR-Tools routing (guided local search), same instance, same time budget.

Instances: Solomon RC208 (best known 776.1 in the file's convention, distance
= floor(10 × euclidean) / 10) and generated mornings of the demo city (300,
1,000 and 2,000 orders, 11 couriers, 20 compounds, couriers starting between
05:00 and 06:00, every order due by 08:00, each order at its unit's door).
Every plan is re-timed on the
engine's own clock (``engine.evaluate``) and ranked by orders served, then
total distance.

OR-Tools gets the very integer model PyVRP gets (``engine.integer_model``):
orders at one door grouped into stops the same way, distances scaled to integers, times in tenths of a second, every stop optional
with the same prize, identical time windows, shifts and capacities. Reloads are
modelled with copies of the market as optional "reload" nodes: visiting one
costs the loading time and empties the vehicle (demand −max capacity with a
capacity slack that only reload nodes may use), the standard OR-Tools pattern.
Every courier may use as many copies as the whole fleet needs rounds of trips
to carry every bag, plus two; arcs that make a reload pointless (straight
after leaving, straight before going home, reload after reload) are removed.

OR-Tools runs twice per instance, each with the full budget: from its own
first solution ("ortools") and warm-started from the nearest-neighbour plan
our planner also starts from ("ortools-warm"). Our planner makes every stop a
hard requirement when that plan already serves them all; OR-Tools keeps the
prize (a stop it leaves out costs more than any detour, so the optimum is the
same).

Each row's ``ratio`` is ours against that row's planner: fewer orders served
decides first (served ÷ served), then distance (theirs ÷ ours); above 1 means
ours is better. ``load_1min`` is the machine's load when the instance started:
the budgets are wall clock, so a busy machine gives every solver less search.

``BENCH_QUICK=1`` shortens every budget (a smoke run, not figures to quote).
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np

from wanjia.delivery import engine, instances

RC208 = Path(os.environ.get("WANJIA_RC208", Path(__file__).parent.parent / "wanjia/delivery/tests/data/RC208.vrp"))
RC208_BEST = 776.1
QUICK = os.environ.get("BENCH_QUICK") == "1"


def budgets() -> list[tuple[str, int | None, float, str]]:
    """(name, orders or None for RC208, seconds per solver, OR-Tools' first
    solution strategy: path-cheapest-arc where every stop fits, parallel
    cheapest insertion on the over-full mornings, where path-cheapest-arc
    served 266 of 1,000 orders in a 40 s trial against 931)."""
    arc, insertion = "PATH_CHEAPEST_ARC", "PARALLEL_CHEAPEST_INSERTION"
    if QUICK:
        return [
            ("RC208", None, 3.0, arc),
            ("demo-300", 300, 3.0, arc),
            ("demo-1000", 1000, 6.0, insertion),
        ]
    return [
        ("RC208", None, 30.0, arc),
        ("demo-300", 300, 30.0, arc),
        ("demo-1000", 1000, 60.0, insertion),
        ("demo-2000", 2000, 120.0, insertion),
    ]


def run() -> list[dict]:
    rows = []
    for name, orders, seconds, first in budgets():
        if orders is None:
            if not RC208.exists():
                rows.append({"name": name, "skipped": f"{RC208} not found"})
                continue
            problem = instances.read_solomon(RC208).problem
        else:
            problem = instances.demo_instance(orders)
        rows.extend(compare(name, problem, seconds, first))
    return rows


def compare(name: str, problem: engine.Problem, seconds: float, first: str) -> list[dict]:
    """One row per planner, plus the verdict of ours against each rival."""
    load = os.getloadavg()[0]
    plans = {
        "nearest": engine.plan_nearest(problem),
        "ortools": ortools_plan(problem, seconds, first=first),
        "ortools-warm": ortools_plan(problem, seconds, first=first, warm=True),
        "pyvrp": engine.plan(problem, seconds=seconds),
    }
    rows = []
    ours = plans["pyvrp"]
    for solver, plan in plans.items():
        row = {
            "name": name,
            "solver": solver,
            "budget_s": seconds,
            "served": plan.served,
            "stops": len(problem.stops),
            "distance": round(plan.total_distance, 1),
            "seconds": round(plan.runtime_s, 1),
            "load_1min": round(load, 2),
            # ours vs this planner: > 1 means ours is better (fewer unserved
            # first; equal served: the ratio of distances)
            "ratio": _ratio(ours, plan),
        }
        if name == "RC208":
            row["best_known"] = RC208_BEST
            row["gap_pct"] = round(100 * (plan.total_distance / RC208_BEST - 1), 2)
        rows.append(row)
    return rows


def _ratio(ours: engine.Plan, other: engine.Plan) -> float:
    if ours.served != other.served:
        return round(ours.served / max(1, other.served), 4)
    return round(other.total_distance / max(1e-9, ours.total_distance), 4)


# ---------------------------------------------------------------- OR-Tools


def ortools_plan(
    problem: engine.Problem, seconds: float, *, first: str = "PATH_CHEAPEST_ARC", warm: bool = False
) -> engine.Plan:
    """OR-Tools routing with guided local search on the shared integer model,
    within ``seconds`` all included. ``warm``: start from the same
    nearest-neighbour plan our planner starts from; otherwise from OR-Tools'
    own construction, ``first`` (a FirstSolutionStrategy name)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    started = time.perf_counter()
    m = engine.integer_model(problem)
    start = m.nearest_rows() if warm else None
    reloads = _reload_count(m, start)
    model = _OrModel(m, reloads)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(
        int(max(1.0, seconds - (time.perf_counter() - started)) * 1000)
    )
    solution = None
    if start is not None:
        model.routing.CloseModelWithParameters(params)
        assignment = model.routing.ReadAssignmentFromRoutes(model.node_routes(start), True)
        if assignment is None:
            raise AssertionError("OR-Tools rejects the nearest-neighbour start")
        solution = model.routing.SolveFromAssignmentWithParameters(assignment, params)
    else:
        solution = model.routing.SolveWithParameters(params)
    routes = model.decode(solution) if solution is not None else {}
    plan = engine.evaluate(problem, routes, "ortools-warm" if warm else "ortools")
    return engine.Plan(plan.routes, plan.unserved, plan.solver, time.perf_counter() - started)


class _OrModel:
    """The integer model as an OR-Tools routing model: node 0 the market,
    nodes 1..n-1 the possible stops, then the reload copies of the market."""

    def __init__(self, m: engine.IntegerModel, reloads: int):
        from ortools.constraint_solver import pywrapcp

        self.m, self.couriers = m, m.problem.couriers
        self.n = len(m.possible) + 1
        self.size = self.n + reloads
        self.loc = np.array([*range(self.n), *([0] * reloads)])  # node -> model row
        self.manager = pywrapcp.RoutingIndexManager(self.size, len(self.couriers), 0)
        self.routing = pywrapcp.RoutingModel(self.manager)
        arc = self.routing.RegisterTransitMatrix(m.distance[np.ix_(self.loc, self.loc)].tolist())
        self.routing.SetArcCostEvaluatorOfAllVehicles(arc)
        self._time()
        self._load()
        _limit_trips(self.routing, self.couriers, self.n, self.size)
        _useless_reload_arcs(self.routing, self.manager, self.couriers, self.n, self.size)
        for node in range(1, self.size):
            penalty = m.prize if node < self.n else 0
            self.routing.AddDisjunction([self.manager.NodeToIndex(node)], penalty)

    def _time(self) -> None:
        m, loc, routing = self.m, self.loc, self.routing
        service = m.service[loc]
        callbacks = [
            routing.RegisterTransitMatrix((dur[np.ix_(loc, loc)] + service[:, None]).tolist())
            for dur in m.durations
        ]
        horizon = int(max(_ticks(c.end_s) for c in self.couriers) + 1)
        per_vehicle = [callbacks[m.mats.profile_of[k]] for k in range(len(self.couriers))]
        routing.AddDimensionWithVehicleTransits(per_vehicle, horizon, horizon, False, "time")
        clock = routing.GetDimensionOrDie("time")
        for node in range(1, self.n):
            late = int(min(m.late[node], horizon))
            clock.CumulVar(self.manager.NodeToIndex(node)).SetRange(int(m.early[node]), late)
        for k, c in enumerate(self.couriers):
            start, end = _ticks(c.start_s), int(math.floor(c.end_s * engine.TIME_RES + 1e-6))
            clock.CumulVar(routing.Start(k)).SetRange(start, end)
            clock.CumulVar(routing.End(k)).SetRange(start, end)

    def _load(self) -> None:
        """Bags delivered on the current trip; a reload node empties it (demand
        −max capacity, made up by a slack only reload nodes may use)."""
        top = int(max(c.capacity for c in self.couriers))
        demand = [int(self.m.demand[i]) if i < self.n else -top for i in range(self.size)]
        callback = self.routing.RegisterUnaryTransitVector(demand)
        capacities = [int(c.capacity) for c in self.couriers]
        self.routing.AddDimensionWithVehicleCapacity(callback, top, capacities, True, "load")
        bags = self.routing.GetDimensionOrDie("load")
        for node in range(1, self.n):
            bags.SlackVar(self.manager.NodeToIndex(node)).SetValue(0)
        for k in range(len(self.couriers)):
            bags.SlackVar(self.routing.Start(k)).SetValue(0)

    def node_routes(self, routes: dict[int, list[list[int]]]) -> list[list[int]]:
        """Our routes (courier -> trips of model rows) as OR-Tools node lists,
        a fresh reload node between trips."""
        spare = iter(range(self.n, self.size))
        out = []
        for k in range(len(self.couriers)):
            nodes: list[int] = []
            for t, trip in enumerate(routes.get(k, [])):
                if t:
                    nodes.append(next(spare))
                nodes += trip
            out.append(nodes)
        return out

    def decode(self, solution) -> dict[str, list[list[str]]]:
        routes: dict[str, list[list[str]]] = {}
        for k, c in enumerate(self.couriers):
            trips: list[list[str]] = [[]]
            index = self.routing.Start(k)
            while not self.routing.IsEnd(index):
                node = self.manager.IndexToNode(index)
                if node >= self.n:
                    trips.append([])
                elif node > 0:
                    trips[-1].extend(self.m.stop_ids(node))
                index = solution.Value(self.routing.NextVar(index))
            routes[c.id] = [t for t in trips if t]
        return routes


def _ticks(seconds: float) -> int:
    return int(math.ceil(seconds * engine.TIME_RES - 1e-6))


def _reload_count(m: engine.IntegerModel, start: dict | None) -> int:
    """Copies of the market to reload at: enough for every courier to make as
    many trips as the whole fleet needs to carry every bag, plus two (and at
    least as many as the warm start uses)."""
    couriers = m.problem.couriers
    if all(c.max_trips == 1 for c in couriers):
        return 0
    rounds = math.ceil(m.demand.sum() / sum(c.capacity for c in couriers))
    used = sum(max(0, len(trips) - 1) for trips in (start or {}).values())
    return max(len(couriers) * (rounds + 2), used)


def _useless_reload_arcs(routing, manager, couriers, n: int, size: int) -> None:
    """A reload right after leaving the market, right before going home or
    right after another reload does nothing; forbidding those arcs keeps the
    cheapest-arc construction from chaining free zero-distance reloads."""
    reloads = [manager.NodeToIndex(node) for node in range(n, size)]
    for k in range(len(couriers)):
        routing.NextVar(routing.Start(k)).RemoveValues(reloads)
    ends = [routing.End(k) for k in range(len(couriers))]
    for index in reloads:
        routing.NextVar(index).RemoveValues([r for r in reloads if r != index] + ends)


def _limit_trips(routing, couriers, n: int, size: int) -> None:
    """Couriers with a trip limit: count reload visits in a dimension."""
    if all(c.max_trips is None for c in couriers) or size == n:
        return
    visits = routing.RegisterUnaryTransitVector([0 if i < n else 1 for i in range(size)])
    caps = [size if c.max_trips is None else max(0, c.max_trips - 1) for c in couriers]
    routing.AddDimensionWithVehicleCapacity(visits, 0, caps, True, "reloads")
