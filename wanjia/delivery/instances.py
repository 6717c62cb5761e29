"""Planner inputs from outside: the what-if JSON file, Solomon/VRPLIB ``.vrp``
files, and generated instances shaped like the demo city; plus the JSON the
what-if command writes and the words for each unserved reason.

No models here: this module turns text into ``engine.Problem`` (or a list of
errors naming every offending item) and plans into plain dicts."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from wanjia.delivery import engine

# ------------------------------------------------------------------- errors


class InstanceError(ValueError):
    """A file that cannot be planned; ``problems`` names every offending item."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Errors:
    def __init__(self):
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _label(section: str, k: int, item) -> str:
    """``stops[3] (id "B7")`` — position and id, so a person can find the row."""
    if (
        isinstance(item, dict)
        and isinstance(item.get("id"), str | int)
        and not isinstance(item.get("id"), bool)
    ):
        return f'{section}[{k}] (id "{item["id"]}")'
    return f"{section}[{k}]"


def _number(errors, where, item, key, *, required=True, default=None, minimum=None, integer=False):
    """A finite number from ``item[key]`` or None after recording the problem."""
    if key not in item or item[key] is None:
        if required:
            errors.add(where, _("缺少字段 %(key)s") % {"key": key})
        return default
    value = item[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors.add(
            where,
            _("%(key)s 必须是数字，而不是 %(value)s")
            % {"key": key, "value": json.dumps(value, ensure_ascii=False)},
        )
        return None
    if integer and value != int(value):
        errors.add(where, _("%(key)s 必须是整数，而不是 %(value)s") % {"key": key, "value": value})
        return None
    if minimum is not None and value < minimum:
        errors.add(
            where,
            _("%(key)s 不能小于 %(minimum)s（现为 %(value)s）")
            % {"key": key, "minimum": minimum, "value": value},
        )
        return None
    return int(value) if integer else float(value)


def _point(errors, where, item) -> tuple[engine.Point | None, bool | None]:
    """(point, geographic) from ``x, y`` or ``lat, lng``."""
    has_xy = "x" in item or "y" in item
    has_geo = "lat" in item or "lng" in item
    if has_xy and has_geo:
        errors.add(where, _("坐标请只用 x,y 或 lat,lng 其中一种"))
        return None, None
    if not has_xy and not has_geo:
        errors.add(where, _("缺少坐标：x,y 或 lat,lng"))
        return None, None
    if has_xy:
        x, y = _number(errors, where, item, "x"), _number(errors, where, item, "y")
        return (engine.Point(x, y) if x is not None and y is not None else None), False
    lat, lng = _number(errors, where, item, "lat"), _number(errors, where, item, "lng")
    if lat is not None and not -90 <= lat <= 90:
        errors.add(where, _("lat %(lat)s 超出 -90..90") % {"lat": lat})
        lat = None
    if lng is not None and not -180 <= lng <= 180:
        errors.add(where, _("lng %(lng)s 超出 -180..180") % {"lng": lng})
        lng = None
    return (engine.Point.latlng(lat, lng) if lat is not None and lng is not None else None), True


# ---------------------------------------------------------------- JSON input


def load_json(text: str) -> engine.Problem:
    """Parse and check a what-if file (schema in PLAN_ROUTES.md). Raises
    InstanceError listing every problem found, not just the first."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InstanceError([_("不是有效的 JSON：%(error)s") % {"error": exc}]) from None
    if not isinstance(doc, dict):
        raise InstanceError([_("文件顶层必须是一个对象 {…}")])
    errors = _Errors()
    depot, depot_geo = _read_depot(errors, doc)
    couriers = _read_couriers(errors, doc)
    stops = _read_stops(errors, doc, depot_geo)
    metric, geographic = _read_metric(errors, doc, depot_geo)
    detour = _number(errors, "detour", doc, "detour", required=False, default=1.0, minimum=1.0)
    load_s = _number(errors, "load_s", doc, "load_s", required=False, default=0.0, minimum=0.0)
    _check_capacity(errors, stops, couriers)
    distance, duration = _read_matrix(errors, doc, len(stops))
    if errors.items:
        raise InstanceError(errors.items)
    return engine.Problem(
        depot=depot,
        stops=tuple(s for _k, _item, s in stops),
        couriers=tuple(couriers),
        metric=metric,
        geographic=bool(geographic),
        detour=detour,
        load_s=load_s,
        distance_matrix=distance,
        duration_matrix=duration,
    )


def _read_depot(errors, doc):
    item = doc.get("depot")
    if not isinstance(item, dict):
        errors.add("depot", _("缺少 depot 对象（市场的位置）"))
        return None, None
    return _point(errors, "depot", item)


def _list(errors, doc, key) -> list:
    value = doc.get(key)
    if not isinstance(value, list):
        errors.add(key, _("缺少 %(key)s 列表") % {"key": key})
        return []
    return value


def _read_stops(errors, doc, depot_geo):
    stops, seen = [], {}
    for k, item in enumerate(_list(errors, doc, "stops")):
        where = _label("stops", k, item)
        if not isinstance(item, dict):
            errors.add(where, _("每个站点必须是一个对象"))
            continue
        sid = _identifier(errors, where, item, seen)
        point, geo = _point(errors, where, item)
        if geo is not None and depot_geo is not None and geo != depot_geo:
            errors.add(where, _("坐标类型与 depot 不一致（都用 x,y 或都用 lat,lng）"))
        demand = _number(errors, where, item, "demand", minimum=0, integer=True)
        service = _number(errors, where, item, "service_s", required=False, default=0.0, minimum=0)
        early = _number(errors, where, item, "earliest_s", required=False, default=0.0)
        late = _number(errors, where, item, "latest_s", required=False, default=math.inf)
        if early is not None and late is not None and late < early:
            errors.add(
                where,
                _("latest_s %(late)s 早于 earliest_s %(early)s")
                % {"late": _n(late), "early": _n(early)},
            )
        if None not in (sid, point, demand, service, early, late):
            stops.append((k, item, engine.Stop(sid, point, demand, service, early, late)))
    return stops


def _identifier(errors, where, item, seen) -> str | None:
    raw = item.get("id")
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int) or str(raw) == "":
        errors.add(where, _("缺少字段 id（字符串或整数）"))
        return None
    sid = str(raw)
    if sid in seen:
        errors.add(where, _("id 与 %(other)s 重复") % {"other": seen[sid]})
        return None
    seen[sid] = where
    return sid


def _read_couriers(errors, doc) -> list[engine.Courier]:
    couriers, seen = [], {}
    items = _list(errors, doc, "couriers")
    if isinstance(doc.get("couriers"), list) and not items:
        errors.add("couriers", _("至少需要一名配送员"))
    for k, item in enumerate(items):
        where = _label("couriers", k, item)
        if not isinstance(item, dict):
            errors.add(where, _("每名配送员必须是一个对象"))
            continue
        cid = _identifier(errors, where, item, seen)
        cap = _number(errors, where, item, "capacity", minimum=1, integer=True)
        speed = _number(errors, where, item, "speed")
        if speed is not None and speed <= 0:
            errors.add(where, _("speed 必须大于 0（现为 %(v)s）") % {"v": _n(speed)})
            speed = None
        start = _number(errors, where, item, "start_s")
        end = _number(errors, where, item, "end_s")
        if start is not None and end is not None and end < start:
            errors.add(
                where,
                _("end_s %(end)s 早于 start_s %(start)s") % {"end": _n(end), "start": _n(start)},
            )
        trips = _number(errors, where, item, "max_trips", required=False, minimum=1, integer=True)
        kind = item.get("kind", "")
        if None not in (cid, cap, speed, start, end) and (end >= start):
            couriers.append(engine.Courier(cid, cap, speed, start, end, str(kind), trips))
    return couriers


def _read_metric(errors, doc, depot_geo):
    default = "haversine" if depot_geo else "euclidean"
    metric = doc.get("metric", default)
    if metric not in engine.METRICS:
        errors.add(
            "metric",
            _("未知的 metric %(metric)s，可选：%(choices)s")
            % {
                "metric": json.dumps(metric, ensure_ascii=False),
                "choices": " | ".join(engine.METRICS),
            },
        )
        return default, depot_geo
    if metric == "haversine" and depot_geo is False:
        errors.add("metric", _("haversine 需要 lat,lng 坐标，而文件用的是 x,y"))
    return metric, depot_geo


def _check_capacity(errors, stops, couriers) -> None:
    if not couriers:
        return
    top = max(c.capacity for c in couriers)
    for k, item, stop in stops:
        if stop.demand > top:
            errors.add(
                _label("stops", k, item),
                _("demand %(demand)s 超过所有配送员的容量（最大 %(cap)s）")
                % {"demand": stop.demand, "cap": top},
            )


def _read_matrix(errors, doc, n_stops):
    """Optional imported matrices: ``matrix: {distance: [[..]], duration: [[..]]}``,
    depot first then the stops in file order."""
    spec = doc.get("matrix")
    if spec is None:
        return None, None
    if not isinstance(spec, dict) or "distance" not in spec:
        errors.add("matrix", _("matrix 必须是含 distance（可选 duration）的对象"))
        return None, None
    out = []
    for key in ("distance", "duration"):
        if key not in spec:
            out.append(None)
            continue
        try:
            m = np.array(spec[key], dtype=float)
        except (TypeError, ValueError):
            m = np.zeros(0)
        size = n_stops + 1
        if m.shape != (size, size) or not np.isfinite(m).all() or (m < 0).any():
            errors.add(
                f"matrix.{key}",
                _("必须是 %(n)s×%(n)s 的非负数字矩阵（depot 在前，然后按顺序的站点）")
                % {"n": size},
            )
            out.append(None)
        else:
            out.append(m)
    return out[0], out[1]


def _n(value: float) -> str:
    """A number as a person wrote it: 100, not 100.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


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


# ---------------------------------------------------- demo-shaped instances

CITY_CENTRE = (30.1210, 104.6420)  # lat, lng: the demo city's centre
DAY = {"05:00": 5 * 3600, "06:00": 6 * 3600, "08:00": 8 * 3600, "08:30": 8 * 3600 + 1800}
# kind -> (how many of 11, bags per trip, metres per second)
COURIER_KINDS = {"tricycle": (4, 60, 3.0), "ebike": (5, 30, 4.5), "foot": (2, 12, 1.3)}


def demo_instance(
    orders: int, *, couriers: int = 11, compounds: int = 20, seed: int = 7
) -> engine.Problem:
    """A morning of the demo city: the market in the middle, ``compounds``
    compounds within about 1.5 km, buildings on a 45 m grid (walk-ups of 6–7
    floors without a lift, mid-rises with one), each order a stop at the door
    of its unit (stairwell), so orders for one unit share a point. Couriers
    start as sorting ends between 05:00 and 06:00, every order is due by 08:00
    and couriers are back by 08:30."""
    # the same city whatever the number of orders; the orders drawn apart
    buildings = _demo_buildings(
        random.Random(f"wanjia-delivery:city:{compounds}:{seed}"), compounds
    )
    rng = random.Random(f"wanjia-delivery:orders:{orders}:{compounds}:{seed}")
    weights = [b[2] * b[3] for b in buildings]  # households: floors × units
    stops = []
    for k in range(orders):
        lat, lng, floors, units, lift = rng.choices(buildings, weights)[0]
        door = rng.randrange(units)  # unit doors 12 m apart along the building
        floor = rng.randint(1, floors)
        service = 15 + (30 if lift else 10 * (floor - 1))
        stops.append(
            engine.Stop(
                id=f"O{k + 1:04d}",
                point=engine.Point.latlng(lat, lng + (door - (units - 1) / 2) * 1.25e-4),
                demand=rng.choices((1, 2, 3), (6, 3, 1))[0],
                service_s=float(service),
                earliest_s=0.0,
                latest_s=float(DAY["08:00"]),
            )
        )
    return engine.Problem(
        depot=engine.Point.latlng(*CITY_CENTRE),
        stops=tuple(stops),
        couriers=demo_couriers(couriers),
        metric="haversine",
        geographic=True,
        detour=1.3,
        load_s=300.0,
    )


def demo_couriers(count: int = 11) -> tuple[engine.Courier, ...]:
    """Tricycles, e-bikes and walkers in the demo's 4:5:2 mix, starting as
    sorting batches finish between 05:00 and 06:00."""
    kinds = [k for k, (n, _cap, _v) in COURIER_KINDS.items() for _ in range(n)]
    out = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        _n_, cap, speed = COURIER_KINDS[kind]
        start = DAY["05:00"] + (DAY["06:00"] - DAY["05:00"]) * i / max(1, count - 1)
        out.append(
            engine.Courier(
                f"C{i + 1:02d}", cap, speed, float(round(start)), float(DAY["08:30"]), kind
            )
        )
    return tuple(out)


def _demo_buildings(rng: random.Random, compounds: int) -> list[tuple]:
    """(lat, lng, floors, units, has lift) for every building."""
    out = []
    for _c in range(compounds):
        lat0 = CITY_CENTRE[0] + rng.uniform(-0.0135, 0.0135)
        lng0 = CITY_CENTRE[1] + rng.uniform(-0.0155, 0.0155)
        count = rng.randint(8, 18)
        cols = max(1, round(count**0.5))
        for b in range(count):
            walkup = rng.random() < 0.7
            floors = rng.randint(6, 7) if walkup else rng.randint(9, 18)
            units = rng.randint(2, 3)
            row, col = divmod(b, cols)
            out.append(
                (
                    lat0 + (row - cols / 2) * 0.0004,
                    lng0 + (col - cols / 2) * 0.00047,
                    floors,
                    units,
                    not walkup,
                )
            )
    return out


# ------------------------------------------------------------------- output


def explain(u: engine.Unserved) -> str:
    """The reason for an unserved stop, in words a manager can act on."""
    f = u.facts
    if u.code == engine.CAPACITY:
        return _("需求 %(demand)s 袋，超过所有配送员的容量（最大 %(cap)s 袋）") % {
            "demand": f["demand"],
            "cap": f["max_capacity"],
        }
    if u.code == engine.TOO_LATE:
        return _(
            "时间窗无法赶上：即使从市场出发直达，最早 %(arrival)s 才到，晚于最晚时间 %(latest)s"
        ) % {
            "arrival": clock(f["arrival_s"]),
            "latest": clock(f["latest_s"]),
        }
    if u.code == engine.SHIFT:
        return _("能按时送到，但送完最早 %(back)s 才能回到市场，晚于班次结束 %(end)s") % {
            "back": clock(f["return_s"]),
            "end": clock(f["shift_end_s"]),
        }
    if u.code == engine.NO_COURIER:
        return _("没有配送员")
    return _("配送员时间不够：单独送可以，但插入任何一条路线都会误了时间窗或班次")


def clock(seconds: float) -> str:
    """Seconds from the day origin as H:MM:SS (plus the raw seconds)."""
    if seconds is None or math.isinf(seconds):
        return "∞"
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d} ({_n(round(seconds, 1))} s)"


def plan_to_dict(plan: engine.Plan, problem: engine.Problem) -> dict:
    """The what-if command's output (schema in PLAN_ROUTES.md)."""
    kinds = {c.id: c.kind for c in problem.couriers}
    return {
        "routes": [
            {
                "courier": r.courier_id,
                "kind": kinds.get(r.courier_id, ""),
                "stops": [
                    {"id": v.stop_id, "eta_s": round(v.eta_s, 1), "trip": v.trip + 1}
                    for v in r.visits
                ],
                "distance": round(r.distance, 3),
                "duration": round(r.duration, 1),
                "start_s": round(r.start_s, 1),
                "end_s": round(r.end_s, 1),
                "trips": r.trips,
                "reloads": r.reloads,
                "loads": list(r.loads),
            }
            for r in plan.routes
        ],
        "unserved": [
            {"id": u.stop_id, "code": u.code, "reason": explain(u)} for u in plan.unserved
        ],
        "total_distance": round(plan.total_distance, 3),
        "total_duration": round(plan.total_duration, 1),
        "served": plan.served,
        "solver": plan.solver,
        "runtime_s": round(plan.runtime_s, 2),
    }
