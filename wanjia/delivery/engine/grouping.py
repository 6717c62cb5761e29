"""Orders for the same door grouped into one stop."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .model import Problem, Stop

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
