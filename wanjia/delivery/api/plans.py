"""Planning endpoints: ask for a plan (a background job), follow it, read its
routes and the live board."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.idempotency import (
    HEADER,
    answer_once,
)
from wanjia.core.jobs import with_live_progress
from wanjia.core.schemas import COMMON_ERRORS, ErrorOut, Id

from .. import selectors, services
from ..models import Courier, DeliveryStatus, PlanStatus
from .common import (
    WRITE_ERRORS,
    aware,
    conflicts_as_409,
    local,
    require_plan_anywhere,
    require_watch,
    router,
)
from .schemas import BoardOut, PlanIn, PlanOut, PlanQueued, RouteOut

IDEMPOTENCY_HEADER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 100},
    "description": "Optional. A retry with the same value and body returns the first "
    "answer and queues no second plan.",
}


@router.post(
    "/windows/{window_id}/plans",
    response={202: PlanQueued, 400: ErrorOut, **WRITE_ERRORS},
    openapi_extra={"parameters": [IDEMPOTENCY_HEADER]},
    summary="为截单后的订购规划配送路线（后台计算）",
)
@conflicts_as_409
def plan_create(request, window_id: Id, payload: PlanIn, response: HttpResponse):
    """Queue a plan for the window's door bags not yet handed over; follow it
    at ``status_url``. 409 while the window is still open."""
    user = request.auth
    require_plan_anywhere(user)
    window = selectors.get_or_404(selectors.windows_to_watch(user), pk=window_id)

    def run():
        plan = services.plan_request(
            actor=user,
            window=window,
            couriers=_couriers(window, payload.couriers),
            start_at=aware(payload.start_at),
            deadline_at=aware(payload.deadline_at),
            seconds=payload.seconds,
        )
        return 202, _queued(plan)

    return answer_once(
        request,
        response,
        scope="delivery.plan.request",
        payload={"window": window.pk, **payload.model_dump(mode="json")},
        run=run,
    )


def _couriers(window, ids: list[int]) -> list[Courier]:
    """The market's couriers by id; an id of another market (or none at all)
    is the same field error, so it tells nothing about other markets."""
    found = selectors.market_couriers_by_id(window.market_id, ids)
    if len(found) != len(set(ids)):
        raise ValidationError({"couriers": _("只能选择本市场在岗的配送员。")})
    return found


def _queued(plan) -> dict:
    return {
        "id": plan.pk,
        "job": plan.job_id,
        "status": plan.status,
        "status_url": reverse("api:delivery_plan_detail", args=[plan.pk]),
    }


def _plan(user, plan_id: int):
    require_watch(user)
    return selectors.get_or_404(selectors.plans_visible_to(user), pk=plan_id)


@router.get(
    "/plans/{plan_id}",
    response={200: PlanOut, **COMMON_ERRORS},
    url_name="delivery_plan_detail",
    summary="规划进度与结果：人数建议、未能安排的站点及原因",
)
def plan_detail(request, plan_id: Id):
    plan = _plan(request.auth, plan_id)
    return _plan_out(plan)


def _plan_out(plan) -> dict:
    return {
        "id": plan.pk,
        "window": plan.window_id,
        "market": plan.window.market_id,
        "status": plan.status,
        "current": plan.current,
        "start_at": local(plan.start_at),
        "deadline_at": local(plan.deadline_at),
        "seconds": plan.seconds,
        "created_at": local(plan.created_at),
        "finished_at": local(plan.finished_at),
        "error": plan.error,
        "progress": _progress(plan),
        "summary": {
            "bags": plan.bags,
            "served_bags": plan.served_bags,
            "unserved_bags": plan.unserved_bags,
            "routes": plan.routes.count(),
            "distance_m": plan.distance_m,
            "finish_at": local(plan.finish_at),
            "solver": plan.solver,
            "runtime_s": plan.runtime_s,
        },
        "suggestion": plan.suggestion or {},
        "unserved": [_unserved(stop) for stop in selectors.unserved_stops(plan)],
    }


def _progress(plan) -> dict:
    """The job's progress bar; a plan whose job row is gone reads as its own state."""
    if plan.job is None:
        ended = plan.status in (PlanStatus.DONE, PlanStatus.FAILED)
        return {"status": plan.status, "percent": 100 if ended else 0, "message": plan.error}
    job = with_live_progress(plan.job)
    return {"status": job.status, "percent": min(job.percent, 100), "message": job.message}


def _unserved(stop) -> dict:
    return {
        "stop": stop.pk,
        "compound": stop.building.compound.name,
        "building": stop.building.name,
        "unit": stop.unit.name,
        "bags": [bag_out(d) for d in stop.deliveries.all()],
        "reason_code": stop.reason_code,
        "reason": stop.reason,
    }


def bag_out(delivery) -> dict:
    household = delivery.order.household
    return {
        "delivery": delivery.pk,
        "order": delivery.order.code,
        "household": household.code,
        "room": household.room,
        "floor": household.floor,
        "status": delivery.status,
        "delivered_at": local(delivery.delivered_at),
        "fail_reason": delivery.fail_reason,
    }


@router.get(
    "/plans/{plan_id}/routes",
    response={200: list[RouteOut], **COMMON_ERRORS},
    summary="各配送员的路线：按顺序的站点、预计到达、楼栋单元、楼层电梯、袋与住户编码",
)
def plan_routes(request, plan_id: Id):
    plan = _plan(request.auth, plan_id)
    routes = selectors.plan_routes_visible(request.auth, plan)
    return [route_out(route) for route in routes]


def route_out(route) -> dict:
    stops = [_stop_out(stop) for stop in selectors.route_sheet(route)]
    bags = [bag for stop in stops for bag in stop["bags"]]
    return {
        "id": route.pk,
        "plan": route.plan_id,
        "courier": route.courier_id,
        "courier_name": route.courier.name,
        "mode": route.courier.mode,
        "seq": route.seq,
        "start_at": local(route.start_at),
        "end_at": local(route.end_at),
        "distance_m": route.distance_m,
        "trips": route.trips,
        "loads": list(route.loads or []),
        "total": len(bags),
        "delivered": sum(b["status"] == DeliveryStatus.DELIVERED for b in bags),
        "stops": stops,
    }


def _stop_out(stop) -> dict:
    bags = [bag_out(d) for d in stop.deliveries.all()]
    return {
        "id": stop.pk,
        "seq": stop.seq,
        "trip": stop.trip,
        "eta": local(stop.eta),
        "compound": stop.building.compound.name,
        "building": stop.building.name,
        "building_id": stop.building_id,
        "unit": stop.unit.name,
        "floors": stop.building.floors,
        "top_floor": max((b["floor"] for b in bags), default=0),
        "elevator": stop.building.has_elevator,
        "service_s": stop.service_s,
        "bags": bags,
    }


@router.get(
    "/plans/{plan_id}/board",
    response={200: BoardOut, **COMMON_ERRORS},
    summary="实时看板：每位配送员已送/总数与预计完成时间",
)
def plan_board(request, plan_id: Id):
    plan = _plan(request.auth, plan_id)
    board = selectors.board(plan)
    return {
        "plan": plan.pk,
        "current": plan.current,
        "deadline_at": local(plan.deadline_at),
        "rows": [
            {
                "route": row["route"].pk,
                "courier": row["courier"].pk,
                "courier_name": row["courier"].name,
                **{k: row[k] for k in ("total", "delivered", "failed", "percent", "late", "done")},
                "predicted": local(row["predicted"]),
            }
            for row in board["rows"]
        ],
        "totals": board["totals"],
        "finish": local(board["finish"]),
        "late": board["late"],
        "now": local(board["now"]),
    }
