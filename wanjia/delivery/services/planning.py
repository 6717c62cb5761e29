"""Planning a window's morning delivery: the manager asks (``plan_request``),
a background job runs the solver (``plan_run``) and stores routes, stops and
one delivery row per bag, then answers the two sizing questions beside it:
how many couriers would finish everything by the deadline, and the earliest
deadline today's couriers can keep."""

import math
from collections import Counter
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict
from wanjia.core.jobs import (
    enqueue,
    job_create,
    job_fail,
    job_finish,
    job_heartbeat,
    job_progress,
    job_start,
)
from wanjia.market.models import WindowStatus

from .. import engine, instances
from ..access import require_plan
from ..models import (
    MODE_DEFAULTS,
    Delivery,
    DeliveryPlan,
    DeliveryStatus,
    PlanStatus,
    Route,
    Stop,
)
from . import problem as geo

JOB_KIND = "delivery.plan"
PLANNABLE = (WindowStatus.CLOSED, WindowStatus.RECEIVED, WindowStatus.PACKED)
MAX_SECONDS = 120
# Share of the job's progress bar for each phase: plan, couriers needed, earliest deadline.
PHASES = (0, 70, 85, 100)


def default_times(window) -> tuple[datetime, datetime]:
    """Start when sorting ended (or 06:30 while it goes on); deadline the
    market's "ready by" time (08:00) on the delivery day."""
    origin = geo.day_origin(window)
    start = window.packed_at or origin + timedelta(hours=6, minutes=30)
    ready = window.market.ready_by
    deadline = origin + timedelta(hours=ready.hour, minutes=ready.minute)
    return start, deadline


def plan_request(
    *,
    actor,
    window,
    couriers,
    start_at: datetime | None = None,
    deadline_at: datetime | None = None,
    seconds: int = 10,
) -> DeliveryPlan:
    """Queue a planning job for the window's door bags not yet handed over."""
    market = window.market
    require_plan(actor, market)
    if window.status not in PLANNABLE:
        raise Conflict(_("截单后才能规划配送路线。"))
    start_default, deadline_default = default_times(window)
    start_at, deadline_at = start_at or start_default, deadline_at or deadline_default
    errors = _check(market, couriers, start_at, deadline_at, seconds)
    if "start_at" not in errors and timezone.localdate(start_at) != window.delivery_date:
        # Shifts are times of the delivery day: another day's start serves nobody.
        errors["start_at"] = [
            _("出发时间应在配送当天（%(day)s）。") % {"day": window.delivery_date.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        job = job_create(actor=actor, kind=JOB_KIND, compound=market.compound, total=100)
        plan = DeliveryPlan.objects.create(
            window=window,
            compound=market.compound,
            job=job,
            start_at=start_at,
            deadline_at=deadline_at,
            seconds=seconds,
            created_by=actor,
        )
        plan.couriers.set(couriers)
        audit(
            actor=actor,
            action="delivery.plan.requested",
            obj=plan,
            compound=market.compound,
            detail={"window": window.pk, "couriers": len(couriers), "seconds": seconds},
        )
        enqueue(TASK, job=job, plan_id=plan.pk)
    return plan


TASK = "wanjia.delivery.tasks.plan_window"


def _check(market, couriers, start_at, deadline_at, seconds) -> dict:
    errors = {}
    if not couriers:
        errors["couriers"] = [_("请至少选择一名配送员。")]
    elif any(c.market_id != market.pk or not c.active for c in couriers):
        errors["couriers"] = [_("只能选择本市场在岗的配送员。")]
    if deadline_at <= start_at:
        errors["deadline_at"] = [_("送达截止时间应晚于出发时间。")]
    elif deadline_at - start_at > timedelta(hours=12):
        errors["deadline_at"] = [_("出发到截止不能超过 12 小时。")]
    if not isinstance(seconds, int) or not 1 <= seconds <= MAX_SECONDS:
        errors["seconds"] = [_("计算时长应在 1 到 %(n)s 秒之间。") % {"n": MAX_SECONDS}]
    return errors


# --- the job ---------------------------------------------------------------------------


def plan_run(plan_id: int) -> DeliveryPlan | None:
    """The background job: plan, store, size. Runs once per plan (a task
    delivered twice finds its job already claimed)."""
    plan = DeliveryPlan.objects.select_related("window__market__compound", "job").get(pk=plan_id)
    if plan.job is None or not job_start(job=plan.job, message=_("正在读取订单…")):
        return None
    DeliveryPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.RUNNING)
    try:
        with job_heartbeat(plan.job):  # the solver is silent for up to MAX_SECONDS
            result = _solve_and_store(plan)
    except ValidationError as exc:
        return _failed(plan, "；".join(exc.messages))
    except Exception:
        _failed(plan, _("规划出错，请稍后重试。"))
        raise
    job_finish(job=plan.job, result=result, message=_("规划完成"))
    return plan


def plan_abandoned(job) -> None:
    """The worker running this plan's job died and the job was given up."""
    DeliveryPlan.objects.filter(job=job, status__in=(PlanStatus.QUEUED, PlanStatus.RUNNING)).update(
        status=PlanStatus.FAILED,
        error=str(_("后台进程中断，请重新规划。")),
        finished_at=timezone.now(),
    )


def _failed(plan, message: str) -> DeliveryPlan:
    DeliveryPlan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.FAILED, error=message[:300], finished_at=timezone.now()
    )
    job_fail(job=plan.job, message=message)
    plan.refresh_from_db()
    return plan


def _progress(plan, lo: int, hi: int, message: str):
    def report(share: float) -> None:
        job_progress(
            job=plan.job, progress=lo + int((hi - lo) * min(max(share, 0), 1)), message=message
        )

    return report


def _solve_and_store(plan: DeliveryPlan) -> dict:
    couriers = list(plan.couriers.filter(active=True).order_by("name", "id"))
    if not couriers:
        raise ValidationError(_("选中的配送员都已不在岗。"))
    orders = list(geo.door_orders(plan.window))
    max_bags = max(c.capacity for c in couriers)
    groups = geo.stop_groups(
        orders, base_s=plan.base_s, per_floor_s=plan.per_floor_s, max_bags=max_bags
    )
    problem = geo.build(plan, couriers, groups)
    found = engine.plan(
        problem,
        seconds=plan.seconds,
        seed=plan.seed,
        progress=_progress(plan, PHASES[0], PHASES[1], _("正在规划路线…")),
    )
    suggestion = _sizing(plan, problem, couriers)
    with transaction.atomic():
        _store(plan, problem, found, groups, couriers, suggestion)
    return {"plan": plan.pk, "served": found.served, "unserved": len(found.unserved)}


def _sizing(plan, problem, couriers) -> dict:
    """How many couriers of today's most common kind would serve everyone by
    the deadline, and the earliest deadline today's couriers can keep."""
    mode = Counter(c.mode for c in couriers).most_common(1)[0][0]
    speed, capacity = MODE_DEFAULTS[mode]
    template = engine.Courier(
        id=f"size-{mode}",
        capacity=capacity,
        speed=speed / 3.6,
        start_s=min(c.start_s for c in problem.couriers),
        end_s=max(c.end_s for c in problem.couriers),
        kind=mode,
    )
    budget = max(1.0, plan.seconds / 2)
    calls = {"n": 0}

    def counted(report):
        def planner(p, **kw):
            calls["n"] += 1
            report(min(calls["n"] / 8, 1.0))
            return engine.plan(p, **kw)

        return planner

    sizing = engine.couriers_needed(
        problem,
        template,
        seconds=budget,
        seed=plan.seed,
        max_couriers=60,
        planner=counted(_progress(plan, PHASES[1], PHASES[2], _("正在测算所需人数…"))),
    )
    calls["n"] = 0
    origin = geo.day_origin(plan.window)
    # The engine's deadline bounds when the last hand-off *starts*; adding the
    # longest hand-off gives a time by which everything is done.
    answer = engine.earliest_deadline(
        problem,
        seconds=budget,
        seed=plan.seed,
        step_s=300,
        planner=counted(_progress(plan, PHASES[2], PHASES[3], _("正在测算最早完成时间…"))),
    )
    longest = max((s.service_s for s in problem.stops), default=0)
    earliest = None
    if answer.deadline_s is not None:
        earliest = geo.at(origin, math.ceil((answer.deadline_s + longest) / 300) * 300)
    return {
        "mode": mode,
        "couriers_needed": sizing.count,
        "couriers_today": len(couriers),
        "impossible": len(sizing.impossible),
        "earliest_deadline": earliest.isoformat() if earliest else None,
    }


def _store(plan, problem, found: engine.Plan, groups, couriers, suggestion) -> None:
    origin = geo.day_origin(plan.window)
    by_id = {str(c.pk): c for c in couriers}
    stops: dict[str, Stop] = {}
    for seq, r in enumerate(found.routes):
        route = Route.objects.create(
            plan=plan,
            courier=by_id[r.courier_id],
            seq=seq,
            distance_m=r.distance,
            start_at=geo.at(origin, r.start_s),
            end_at=geo.at(origin, r.end_s),
            trips=r.trips,
            loads=list(r.loads),
        )
        for n, v in enumerate(r.visits):
            stops[v.stop_id] = _stop(
                plan,
                groups[int(v.stop_id)],
                route=route,
                seq=n,
                trip=v.trip,
                eta=geo.at(origin, v.eta_s),
            )
    for u in found.unserved:
        stops[u.stop_id] = _stop(
            plan, groups[int(u.stop_id)], reason_code=u.code, reason=instances.explain(u)[:300]
        )
    rows = [
        Delivery(
            plan=plan,
            stop=stop,
            order=order,
            compound_id=order.compound_id,
            status=DeliveryStatus.PENDING if stop.route_id else DeliveryStatus.UNSERVED,
        )
        for key, stop in stops.items()
        for order in groups[int(key)].orders
    ]
    Delivery.objects.bulk_create(rows)
    bags = sum(g.bags for g in groups)
    served = sum(stop.bags for stop in stops.values() if stop.route_id)
    finish = found.finish_s
    DeliveryPlan.objects.filter(window=plan.window, current=True).update(current=False)
    DeliveryPlan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.DONE,
        current=True,
        finished_at=timezone.now(),
        solver=found.solver,
        runtime_s=found.runtime_s,
        bags=bags,
        served_bags=served,
        distance_m=found.total_distance,
        finish_at=geo.at(origin, finish) if finish is not None else None,
        suggestion=suggestion,
    )
    audit(
        actor=None,
        action="delivery.plan.done",
        obj=plan,
        compound=plan.compound,
        detail={"bags": bags, "served": served, "routes": len(found.routes)},
    )


def _stop(plan, group, *, route=None, seq=0, trip=0, eta=None, reason_code="", reason="") -> Stop:
    return Stop.objects.create(
        plan=plan,
        route=route,
        seq=seq,
        trip=trip,
        building=group.building,
        unit=group.unit,
        bags=group.bags,
        service_s=round(group.service_s),
        eta=eta,
        reason_code=reason_code,
        reason=reason,
    )
