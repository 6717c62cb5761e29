"""The planner's vocabulary: constants, reason codes and the frozen
dataclasses that go in (problem) and come out (plan, answers)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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
