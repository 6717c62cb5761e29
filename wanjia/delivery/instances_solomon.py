"""Routing problems from Solomon / VRPLIB benchmark files (for the engine benchmarks)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from wanjia.delivery import engine

from .instances_json import InstanceError

# ------------------------------------------------------------- Solomon files


@dataclass(frozen=True)
class Solomon:
    name: str
    problem: engine.Problem
    scale: int  # distances were truncated to 1/scale of a unit


def read_solomon(path: str | Path) -> Solomon:
    """A Solomon instance in VRPLIB form (NODE_COORD, DEMAND, TIME_WINDOW and
    DEPOT sections). ``EDGE_WEIGHT_TYPE : FLOOR_2D`` with ``SCALE : 10`` means
    distance = floor(10 × euclidean) / 10: the convention of the published
    Solomon optima (RC208: 776.1). Travel time equals distance; every vehicle
    drives one trip."""
    header, sections = _parse_vrplib(Path(path).read_text(encoding="utf-8"))
    errors = []
    for need in ("NODE_COORD_SECTION", "DEMAND_SECTION"):
        if need not in sections:
            errors.append(_("缺少 %(section)s") % {"section": need})
    if errors:
        raise InstanceError(errors)
    scale = int(float(header.get("SCALE", 1)))
    if scale < 1:
        raise InstanceError([_("SCALE 必须是正整数，而不是 %(v)s") % {"v": header["SCALE"]}])
    weight = header.get("EDGE_WEIGHT_TYPE", "EUC_2D").upper()
    coords = {int(r[0]): (float(r[1]), float(r[2])) for r in sections["NODE_COORD_SECTION"]}
    ids = sorted(coords)
    depot_id = int(sections.get("DEPOT_SECTION", [[ids[0]]])[0][0])
    xy = np.array([coords[i] for i in ids])
    euclid = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    if weight == "FLOOR_2D":
        dist = np.floor(euclid * scale + 1e-9) / scale
    elif weight in ("EUC_2D", "EXACT_2D"):
        dist = euclid if weight == "EXACT_2D" else np.rint(euclid * scale) / scale
    else:
        raise InstanceError([_("不支持的 EDGE_WEIGHT_TYPE %(t)s") % {"t": weight}])
    order = [depot_id, *(i for i in ids if i != depot_id)]
    pos = {node: k for k, node in enumerate(ids)}
    idx = [pos[i] for i in order]
    dist = dist[np.ix_(idx, idx)]
    demand = {int(r[0]): int(float(r[1])) for r in sections["DEMAND_SECTION"]}
    windows = {
        int(r[0]): (float(r[1]), float(r[2])) for r in sections.get("TIME_WINDOW_SECTION", [])
    }
    service = {int(r[0]): float(r[1]) for r in sections.get("SERVICE_TIME_SECTION", [])}
    default_service = float(header.get("SERVICE_TIME", 0))
    horizon = windows.get(depot_id, (0.0, math.inf))
    stops = tuple(
        engine.Stop(
            id=str(i),
            point=engine.Point(*coords[i]),
            demand=demand.get(i, 0),
            service_s=service.get(i, default_service),
            earliest_s=windows.get(i, (0.0, math.inf))[0],
            latest_s=windows.get(i, (0.0, math.inf))[1],
        )
        for i in order[1:]
    )
    vehicles = int(header.get("VEHICLES", len(stops)))
    capacity = int(float(header.get("CAPACITY", sum(s.demand for s in stops) or 1)))
    couriers = tuple(
        engine.Courier(f"V{k + 1}", capacity, 1.0, horizon[0], horizon[1], max_trips=1)
        for k in range(vehicles)
    )
    problem = engine.Problem(
        depot=engine.Point(*coords[depot_id]),
        stops=stops,
        couriers=couriers,
        metric="euclidean",
        distance_matrix=dist,
        duration_matrix=dist,
    )
    return Solomon(header.get("NAME", Path(path).stem), problem, scale)


def _parse_vrplib(text: str) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line == "EOF":
            continue
        if ":" in line and not line[0].isdigit() and not line.startswith("-"):
            key, value = line.split(":", 1)
            header[key.strip().upper()] = value.strip()
            current = None
        elif line.upper().endswith("_SECTION"):
            current = line.upper()
            sections[current] = []
        elif current is not None and line != "-1":
            sections[current].append(line.split())
    return header, sections
