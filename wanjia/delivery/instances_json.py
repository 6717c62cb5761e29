"""Routing problems from JSON (the delivery API and files): every bad field named with where it is, all at once (InstanceError)."""

from __future__ import annotations

import json
import math

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
