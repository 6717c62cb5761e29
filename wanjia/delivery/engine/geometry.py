"""Distances and travel times (depot first, then the stops) and the
solver's 0.1 s tick every time is put on."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .model import EARTH_RADIUS_M, EPS, TIME_RES, Point, Problem

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
