"""Planner inputs from outside: the what-if JSON file, Solomon/VRPLIB ``.vrp``
files, and generated instances shaped like the demo city; plus the JSON the
what-if command writes and the words for each unserved reason.

No models here: this module turns text into ``engine.Problem`` (or a list of
errors naming every offending item) and plans into plain dicts. The readers
live in ``instances_json``, ``instances_solomon`` and ``instances_demo``; this
module keeps the output side and re-exports the readers."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from wanjia.delivery import engine

from .instances_demo import (
    CITY_CENTRE,  # noqa: F401  (re-exported)
    COURIER_KINDS,  # noqa: F401  (re-exported)
    DAY,  # noqa: F401  (re-exported)
    demo_couriers,  # noqa: F401  (re-exported)
    demo_instance,  # noqa: F401  (re-exported)
)
from .instances_json import (
    InstanceError,  # noqa: F401  (re-exported)
    _n,
    load_json,  # noqa: F401  (re-exported)
)
from .instances_solomon import (
    Solomon,  # noqa: F401  (re-exported)
    read_solomon,  # noqa: F401  (re-exported)
)

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
