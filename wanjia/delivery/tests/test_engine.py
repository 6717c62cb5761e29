"""The planner engine, checked from outside: every returned route is re-timed
here from the matrices (not from any solver schedule), every stop is served
once or unserved with a reason that is verified, and courier sizing is
monotone. Small instances and 1 s budgets keep this fast."""

import math
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from wanjia.delivery import engine, instances
from wanjia.delivery.engine import Courier, Point, Problem, Stop
from wanjia.delivery.engine.repair import _repair
from wanjia.delivery.engine.sizing import _with_deadline

RC208 = str(Path(__file__).parent / "data" / "RC208.vrp")  # Solomon RC208, public benchmark

# ------------------------------------------------------ independent checker


def timeline(problem: Problem, courier: Courier, trips: list[list[Stop]], dur) -> list | None:
    """Earliest (arrival, eta) per stop of a courier driving ``trips``; None
    when a capacity, window, trip limit or the shift end is broken."""
    if courier.max_trips is not None and len(trips) > courier.max_trips:
        return None
    index = {s.id: k + 1 for k, s in enumerate(problem.stops)}
    t, here, out = courier.start_s, 0, []
    for trip in trips:
        if sum(s.demand for s in trip) > courier.capacity:
            return None
        t += problem.load_s
        for s in trip:
            arrival = t + dur[here, index[s.id]]
            if arrival > s.latest_s + 1e-6:
                return None
            eta = max(arrival, s.earliest_s)
            out.append((arrival, eta))
            t, here = eta + s.service_s, index[s.id]
        t += dur[here, 0]
        here = 0
    return out if t <= courier.end_s + 1e-6 else None


def check_plan(problem: Problem, plan: engine.Plan, *, honest_no_time: bool = True) -> None:
    mats = engine.matrices(problem)
    by_id = {s.id: s for s in problem.stops}
    couriers = {c.id: k for k, c in enumerate(problem.couriers)}
    seen = []
    assert len({r.courier_id for r in plan.routes}) == len(plan.routes), "a courier twice"
    for route in plan.routes:
        k = couriers[route.courier_id]
        courier = problem.couriers[k]
        trip_numbers = [v.trip for v in route.visits]
        assert trip_numbers == sorted(trip_numbers)
        assert sorted(set(trip_numbers)) == list(range(route.trips)), "no empty trips"
        trips = [
            [by_id[v.stop_id] for v in route.visits if v.trip == t] for t in range(route.trips)
        ]
        times = timeline(problem, courier, trips, mats.duration_for(k))
        assert times is not None, f"route of {courier.id} infeasible"
        for visit, (arrival, eta) in zip(route.visits, times, strict=True):
            assert visit.eta_s == pytest.approx(eta, abs=1e-6)
            assert visit.arrival_s == pytest.approx(arrival, abs=1e-6)
        loads = [sum(s.demand for s in trip) for trip in trips]
        assert list(route.loads) == loads
        seq = [0]
        for trip in trips:
            seq += [list(by_id).index(s.id) + 1 for s in trip] + [0]
        assert route.distance == pytest.approx(
            sum(mats.distance[a, b] for a, b in zip(seq, seq[1:]))
        )
        seen += [v.stop_id for v in route.visits]
    assert len(seen) == len(set(seen)), "a stop served twice"
    unserved = [u.stop_id for u in plan.unserved]
    assert len(unserved) == len(set(unserved))
    assert sorted(seen + unserved) == sorted(by_id), "a stop neither served nor explained"
    for u in plan.unserved:
        assert u.code in engine.REASONS and u.code != engine.NOT_PLANNED
        check_reason(problem, plan, mats, u, honest_no_time)
    assert plan.served == len(seen)
    assert plan.total_distance == pytest.approx(sum(r.distance for r in plan.routes))


def check_reason(problem, plan, mats, u, honest_no_time) -> None:
    stop = next(s for s in problem.stops if s.id == u.stop_id)
    j = problem.stops.index(stop) + 1
    alone = [
        timeline(problem, c, [[stop]], mats.duration_for(k)) for k, c in enumerate(problem.couriers)
    ]
    if u.code == engine.CAPACITY:
        assert all(stop.demand > c.capacity for c in problem.couriers)
    elif u.code == engine.NO_COURIER:
        assert not problem.couriers
    elif u.code in (engine.TOO_LATE, engine.SHIFT):
        assert all(a is None for a in alone), "served alone, yet called unreachable"
        if u.code == engine.TOO_LATE:
            assert all(
                c.start_s + problem.load_s + mats.duration_for(k)[0, j] > stop.latest_s
                for k, c in enumerate(problem.couriers)
                if c.capacity >= stop.demand
            )
    elif u.code == engine.NO_TIME:
        assert any(a is not None for a in alone), "no_time, but not even servable alone"
        if honest_no_time:
            assert not fits_anywhere(problem, plan, mats, stop), "no_time, yet it fits"


def fits_anywhere(problem, plan, mats, stop) -> bool:
    """Brute force: every position of every trip, a new trip anywhere, or an idle courier."""
    by_id = {s.id: s for s in problem.stops}
    routes = {r.courier_id: r for r in plan.routes}
    for k, c in enumerate(problem.couriers):
        route = routes.get(c.id)
        trips = []
        if route:
            trips = [
                [by_id[v.stop_id] for v in route.visits if v.trip == t] for t in range(route.trips)
            ]
        options = [trips[:t] + [[stop]] + trips[t:] for t in range(len(trips) + 1)]
        for t, trip in enumerate(trips):
            for pos in range(len(trip) + 1):
                options.append(trips[:t] + [trip[:pos] + [stop] + trip[pos:]] + trips[t + 1 :])
        if any(timeline(problem, c, o, mats.duration_for(k)) is not None for o in options):
            return True
    return False


# --------------------------------------------------------------- instances


def random_problem(seed: int, stops: int = 24, couriers: int = 3, tight: bool = True) -> Problem:
    rng = random.Random(seed)
    out = []
    for i in range(stops):
        early = rng.choice([0, 0, 300, 600])
        out.append(
            Stop(
                id=f"S{i}",
                point=Point(rng.uniform(-600, 600), rng.uniform(-600, 600)),
                demand=rng.randint(1, 4),
                service_s=rng.choice([20, 40, 60]),
                earliest_s=early,
                latest_s=early + rng.choice([600, 1200, 2400]) if tight else 10_000,
            )
        )
    fleet = [
        Courier("foot", 6, 1.2, 0, 2400, "foot"),
        Courier("trike", 12, 3.0, 100, 3000, "tricycle", max_trips=3),
        Courier("ebike", 8, 5.0, 0, 3600, "ebike"),
    ][:couriers]
    return Problem(Point(0, 0), tuple(out), tuple(fleet), metric="manhattan", detour=1.2, load_s=60)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_route_is_feasible_and_every_stop_accounted_for(seed):
    problem = random_problem(seed)
    plan = engine.plan(problem, seconds=1, seed=seed)
    check_plan(problem, plan)
    assert plan.solver in ("pyvrp", "nearest-fallback")


def test_baseline_plans_are_feasible_too_and_never_beat_the_solver():
    problem = random_problem(4, stops=30)
    base = engine.plan_nearest(problem)
    ours = engine.plan(problem, seconds=1)
    check_plan(problem, base)
    check_plan(problem, ours)
    assert (ours.served, -ours.total_distance) >= (base.served, -base.total_distance)


def test_over_demand_returns_a_plan_and_the_rest_with_reasons():
    problem = random_problem(5, stops=40, couriers=1)
    plan = engine.plan(problem, seconds=1)
    check_plan(problem, plan)
    assert plan.served > 0
    assert any(u.code == engine.NO_TIME for u in plan.unserved)


def test_reasons_for_stops_nobody_can_serve():
    depot = Point(0, 0)
    stops = (
        Stop("ok", Point(100, 0), demand=1, latest_s=1000),
        Stop("heavy", Point(100, 0), demand=9, latest_s=1000),
        Stop("far", Point(5000, 0), demand=1, latest_s=1000),
        Stop("late-return", Point(0, 900), demand=1, latest_s=3000),
    )
    couriers = (Courier("c", 5, 1.0, 0, 1500),)
    plan = engine.plan(Problem(depot, stops, couriers), seconds=1)
    codes = {u.stop_id: u.code for u in plan.unserved}
    assert codes == {"heavy": engine.CAPACITY, "far": engine.TOO_LATE, "late-return": engine.SHIFT}
    facts = {u.stop_id: u.facts for u in plan.unserved}
    assert facts["heavy"] == {"demand": 9, "max_capacity": 5}
    assert facts["far"]["arrival_s"] == 5000 and facts["far"]["latest_s"] == 1000
    assert facts["late-return"]["return_s"] == 1800 and facts["late-return"]["shift_end_s"] == 1500
    check_plan(Problem(depot, stops, couriers), plan)
    empty = Problem(depot, stops, ())
    assert {u.code for u in engine.plan(empty, seconds=1).unserved} == {engine.NO_COURIER}
    words = [instances.explain(u) for u in plan.unserved]
    assert any("9" in w and "5" in w for w in words)


def test_reloads_at_the_market_and_trip_limit():
    stops = tuple(
        Stop(f"S{i}", Point(50 * (i + 1), 0), demand=1, latest_s=10_000) for i in range(6)
    )
    reloading = Problem(Point(0, 0), stops, (Courier("c", 2, 1.0, 0, 20_000),), load_s=30)
    plan = engine.plan(reloading, seconds=1)
    check_plan(reloading, plan)
    assert plan.served == 6 and plan.routes[0].trips == 3 and plan.routes[0].reloads == 2
    one_trip = replace(reloading, couriers=(Courier("c", 2, 1.0, 0, 20_000, max_trips=1),))
    plan = engine.plan(one_trip, seconds=1)
    check_plan(one_trip, plan)
    assert plan.served == 2 and {u.code for u in plan.unserved} == {engine.NO_TIME}


def test_each_courier_travels_at_its_own_speed():
    stops = (Stop("near", Point(100, 0), latest_s=200), Stop("far", Point(800, 0), latest_s=190))
    fleet = (Courier("walker", 5, 1.0, 0, 5000), Courier("rider", 1, 5.0, 0, 5000))
    problem = Problem(Point(0, 0), stops, fleet)
    plan = engine.plan(problem, seconds=1)
    check_plan(problem, plan)
    served_by = {v.stop_id: r.courier_id for r in plan.routes for v in r.visits}
    assert served_by == {"near": "walker", "far": "rider"}
    far = next(v for r in plan.routes for v in r.visits if v.stop_id == "far")
    assert far.eta_s == pytest.approx(160.0)


def test_matrices_follow_the_metric_detour_and_imports():
    pts = [Point(0, 0), Point(3, 4)]
    assert engine.metric_matrix(pts, "euclidean")[0, 1] == pytest.approx(5)
    assert engine.metric_matrix(pts, "manhattan")[0, 1] == pytest.approx(7)
    geo = [Point.latlng(30.0, 104.0), Point.latlng(31.0, 104.0)]
    assert engine.metric_matrix(geo, "haversine", True)[0, 1] == pytest.approx(111_195, rel=1e-3)
    assert engine.metric_matrix(geo, "euclidean", True)[0, 1] == pytest.approx(111_195, rel=1e-3)
    stops = (Stop("a", Point(3, 4)),)
    couriers = (Courier("c", 1, 2.0, 0, 100),)
    mats = engine.matrices(Problem(Point(0, 0), stops, couriers, detour=1.5))
    assert mats.distance[0, 1] == pytest.approx(7.5)
    assert mats.duration_for(0)[0, 1] == pytest.approx(3.8)  # 3.75 s, up to the 0.1 s tick
    imported = Problem(
        Point(0, 0),
        stops,
        couriers,
        distance_matrix=np.array([[0, 10], [12, 0]]),
        duration_matrix=np.array([[0, 99], [98, 0]]),
    )
    mats = engine.matrices(imported)
    assert mats.distance[1, 0] == 12 and mats.duration_for(0)[0, 1] == 99
    with pytest.raises(ValueError):
        Problem(Point(0, 0), stops, couriers, metric="chebyshev")
    with pytest.raises(ValueError):
        Problem(Point(0, 0), stops, couriers, metric="haversine")


def test_geographic_plan_reports_metres():
    stops = (Stop("g", Point.latlng(30.01, 104.0), latest_s=3600),)
    problem = Problem(
        Point.latlng(30.0, 104.0),
        stops,
        (Courier("c", 5, 4.0, 0, 7200),),
        metric="haversine",
        geographic=True,
    )
    plan = engine.plan(problem, seconds=1)
    check_plan(problem, plan)
    assert plan.total_distance == pytest.approx(2 * 1112, rel=1e-2)


# ------------------------------------------------------------- questions


def sizing_problem(stops: int = 24, deadline: float = 1500) -> Problem:
    rng = random.Random(11)
    pts = [
        Stop(f"S{i}", Point(rng.uniform(-400, 400), rng.uniform(-400, 400)), 1, 30, 0, deadline)
        for i in range(stops)
    ]
    return Problem(Point(0, 0), tuple(pts), (Courier("c0", 6, 2.0, 0, 4000),), load_s=30)


def nearest(problem, seconds, seed):
    return engine.plan_nearest(problem)


def test_couriers_needed_is_the_smallest_count_that_serves_everyone():
    problem = sizing_problem()
    template = Courier("bike", 6, 2.0, 0, 4000)
    sizing = engine.couriers_needed(problem, template, seconds=4)
    assert sizing.count is not None and sizing.count >= 1
    check_plan(
        replace(
            problem,
            couriers=tuple(Courier(f"bike-{i + 1}", 6, 2.0, 0, 4000) for i in range(sizing.count)),
        ),
        sizing.plan,
    )
    assert sizing.plan.served == len(problem.stops)
    tried = dict(sizing.tried)
    assert tried[sizing.count] == 0
    assert all(missing > 0 for k, missing in tried.items() if k < sizing.count)
    if sizing.count > 1:
        assert tried.get(sizing.count - 1, 1) > 0


def test_courier_sizing_is_monotone():
    template = Courier("bike", 6, 2.0, 0, 4000)
    counts = [
        engine.couriers_needed(sizing_problem(deadline=d), template, planner=nearest).count
        for d in (900, 1200, 1800, 3000)
    ]
    assert all(a >= b for a, b in zip(counts, counts[1:])), counts
    growing = [
        engine.couriers_needed(sizing_problem(stops=n), template, planner=nearest).count
        for n in (6, 12, 24, 36)
    ]
    assert all(a <= b for a, b in zip(growing, growing[1:])), growing
    assert counts[0] > counts[-1] and growing[0] < growing[-1]


def test_couriers_needed_reports_stops_no_count_can_serve():
    problem = sizing_problem(stops=6)
    heavy = Stop("heavy", Point(10, 10), demand=50, latest_s=1500)
    problem = replace(problem, stops=(*problem.stops, heavy))
    sizing = engine.couriers_needed(problem, Courier("bike", 6, 2.0, 0, 4000), planner=nearest)
    assert [u.code for u in sizing.impossible] == [engine.CAPACITY]
    assert sizing.count >= 1


def test_earliest_deadline_serves_everyone_and_a_step_earlier_does_not():
    problem = replace(
        sizing_problem(stops=20),
        couriers=(Courier("a", 6, 2.0, 0, 6000), Courier("b", 6, 2.0, 0, 6000)),
    )
    answer = engine.earliest_deadline(problem, seconds=3, step_s=60)
    assert answer.deadline_s is not None
    assert answer.plan.served == len(problem.stops)
    check_plan(_with_deadline(problem, answer.deadline_s), answer.plan)
    tried = dict(answer.tried)
    assert tried[answer.deadline_s] == 0
    assert all(missing > 0 for d, missing in tried.items() if d < answer.deadline_s)
    assert tried.get(answer.deadline_s - 60, 1) > 0


def test_earliest_deadline_is_none_when_shifts_are_too_short():
    problem = replace(sizing_problem(stops=20), couriers=(Courier("a", 6, 2.0, 0, 700),))
    answer = engine.earliest_deadline(problem, seconds=1, planner=nearest)
    assert answer.deadline_s is None


# ---------------------------------------------------------------- Solomon


def test_solomon_reader_uses_the_truncated_distance_convention():
    rc = instances.read_solomon(RC208)
    p = rc.problem
    assert (rc.name, rc.scale, len(p.stops), len(p.couriers)) == ("RC208", 10, 100, 4)
    assert p.couriers[0].capacity == 1000 and p.couriers[0].max_trips == 1
    assert (p.couriers[0].start_s, p.couriers[0].end_s) == (0, 960)
    first = p.stops[0]
    assert (first.id, first.demand, first.service_s, first.earliest_s, first.latest_s) == (
        "2",
        20,
        10,
        388,
        911,
    )
    # depot (40,50) -> node 2 (25,85): sqrt(15² + 35²) = 38.078… -> 38.0
    assert p.distance_matrix[0, 1] == pytest.approx(38.0)
    assert p.duration_matrix[0, 1] == pytest.approx(38.0)


def test_rc208_plan_is_feasible():
    problem = instances.read_solomon(RC208).problem
    plan = engine.plan(problem, seconds=2)
    check_plan(problem, plan)
    assert plan.served == 100 and len(plan.routes) <= 4
    assert plan.total_distance < 1.2 * 776.1


def test_demo_instance_is_shaped_like_the_morning():
    problem = instances.demo_instance(120)
    assert len(problem.stops) == 120 and len(problem.couriers) == 11
    assert {c.kind for c in problem.couriers} == {"tricycle", "ebike", "foot"}
    assert all(18_000 <= c.start_s <= 21_600 for c in problem.couriers)
    assert all(s.latest_s == 28_800 for s in problem.stops)
    plan = engine.plan(problem, seconds=2)
    check_plan(problem, plan)
    assert plan.served == 120
    assert math.isclose(plan.total_distance, sum(r.distance for r in plan.routes))


def test_leftovers_go_on_a_new_last_trip_when_that_is_where_they_fit():
    stops = (
        Stop("A", Point(10, 0), latest_s=100),
        Stop("B", Point(0, 10), earliest_s=500, latest_s=10_000),
    )
    problem = Problem(Point(0, 0), stops, (Courier("c", 1, 1.0, 0, 20_000),))
    mats = engine.matrices(problem)
    routes, left = _repair(problem, mats, {0: [[0]]}, [1])
    assert (routes, left) == ({0: [[0], [1]]}, [])


def test_progress_is_reported_for_a_background_job():
    seen = []
    engine.plan(random_problem(6), seconds=2.5, progress=seen.append)
    assert seen[-1] == 1.0 and len(seen) >= 2
    assert seen == sorted(seen) and all(0 < x <= 1 for x in seen)


def door_problem(latest: float, orders: int = 5, capacity: int = 10) -> Problem:
    door = Point(10, 0)
    stops = tuple(Stop(f"D{i}", door, 1, 60, 0, latest) for i in range(orders))
    other = Stop("elsewhere", Point(0, 10), 1, 60, 0, 10_000)
    return Problem(Point(0, 0), (*stops, other), (Courier("c", capacity, 1.0, 0, 10_000),))


def test_orders_at_one_door_are_grouped_within_capacity_and_window():
    grouped = engine.group_stops(door_problem(latest=250, capacity=3))
    sizes = sorted(len(m) for m in grouped.members)
    assert sizes == [1, 2, 3]  # five at the door in trips of 3 bags, one elsewhere
    big = grouped.problem.stops[[len(m) for m in grouped.members].index(3)]
    assert (big.demand, big.service_s, big.latest_s) == (3, 180, 250 - 120)
    tight = engine.group_stops(door_problem(latest=100))
    assert sorted(len(m) for m in tight.members) == [1, 1, 2, 2]  # the window splits them
    imported = replace(door_problem(250), distance_matrix=np.zeros((7, 7)))
    assert engine.group_stops(imported).trivial


def test_grouped_orders_come_back_one_by_one_with_their_own_times():
    problem = door_problem(latest=250)
    plan = engine.plan(problem, seconds=1)
    check_plan(problem, plan)
    assert plan.served == 6
    at_door = sorted(v.eta_s for r in plan.routes for v in r.visits if v.stop_id.startswith("D"))
    assert at_door[1:] == pytest.approx([e + 60 for e in at_door[:-1]])  # back to back


def test_single_orders_still_fill_the_room_a_group_could_not():
    problem = door_problem(latest=100)
    for planned in (engine.plan(problem, seconds=1), engine.plan_nearest(problem)):
        check_plan(problem, planned)  # every "no_time" proven by brute force
        assert {u.code for u in planned.unserved} == {engine.NO_TIME}
        assert planned.served == 3  # two at the door in time, and the other stop


def test_outside_plans_are_timed_on_the_same_clock():
    problem = random_problem(7, stops=8)
    ours = engine.plan_nearest(problem)
    routes = {
        r.courier_id: [[v.stop_id for v in r.visits if v.trip == t] for t in range(r.trips)]
        for r in ours.routes
    }
    again = engine.evaluate(problem, routes, "outside")
    check_plan(problem, replace(again, unserved=ours.unserved))
    assert again.served == ours.served
    assert again.total_distance == pytest.approx(ours.total_distance)
    first = next(iter(routes))
    with pytest.raises(ValueError, match="more than once"):
        engine.evaluate(problem, {**routes, first: routes[first] + [routes[first][0]]}, "x")
    everything = [[s.id for s in problem.stops]]
    with pytest.raises(ValueError, match="infeasible"):
        engine.evaluate(problem, {"foot": everything}, "x")
    nothing = engine.evaluate(problem, {}, "x")
    assert nothing.served == 0 and engine.NOT_PLANNED in {u.code for u in nothing.unserved}
    with pytest.raises(ValueError, match="unknown"):
        engine.evaluate(problem, {"ghost": [["S0"]]}, "x")
