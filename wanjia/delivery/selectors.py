"""Reads of delivery data, always scoped to the user.

- Plans, routes and the board: who may watch the market's delivery
  (``delivery.watch`` over the market's compound), and who plans it.
- A route: also its own courier (a volunteer has no other scope there).
- A delivery's time and state: also the household, through its order."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import scope_q
from wanjia.estates.selectors import get_or_404

from .codes import pickup_code
from .models import Courier, Delivery, DeliveryPlan, DeliveryStatus, PlanStatus, Route, Stop

__all__ = ["get_or_404"]


def _watch_roles():
    return CAPABILITIES["delivery.watch"] | CAPABILITIES["delivery.plan"]


def plans_visible_to(user):
    return DeliveryPlan.objects.filter(
        scope_q(user, roles=_watch_roles(), compound="compound_id")
    ).select_related("window", "window__market", "window__market__compound", "job")


def couriers_visible_to(user):
    return Courier.objects.filter(
        scope_q(user, roles=_watch_roles(), compound="market__compound_id")
    ).select_related("market", "market__compound", "user")


def routes_visible_to(user):
    """Routes of watchable plans, and the user's own routes as a courier."""
    watched = scope_q(user, roles=_watch_roles(), compound="plan__compound_id")
    own = Q(courier__user=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return Route.objects.filter(watched | own).select_related(
        "plan", "plan__window", "plan__window__market", "plan__window__market__compound", "courier"
    )


def deliveries_visible_to(user):
    watched = scope_q(user, roles=_watch_roles(), compound="plan__compound_id")
    own = (
        Q(stop__route__courier__user=user)
        if getattr(user, "is_authenticated", False)
        else Q(pk__in=[])
    )
    return Delivery.objects.filter(watched | own).select_related(
        "plan",
        "plan__window__market__compound",
        "stop",
        "stop__route",
        "stop__route__courier",
        "order",
        "order__household",
        "order__building",
        "order__household__unit",
    )


def my_routes_today(user):
    """The user's routes in current plans for today's or later deliveries, and
    yesterday's while bags of it are still open (a morning run that started
    before midnight's date change, or one not finished)."""
    today = timezone.localdate()
    # A subquery, not a join: the counts below must see every bag of the route.
    unfinished = Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    ).values("stop__route_id")
    return (
        Route.objects.filter(courier__user=user, plan__current=True)
        .filter(
            Q(plan__window__delivery_date__gte=today)
            | Q(plan__window__delivery_date=today - timedelta(days=1), pk__in=unfinished)
        )
        .select_related("plan", "plan__window", "plan__window__market", "courier")
        .annotate(
            total=Count("stops__deliveries"),
            done=Count(
                "stops__deliveries", filter=Q(stops__deliveries__status=DeliveryStatus.DELIVERED)
            ),
        )
        .order_by("plan__window__delivery_date", "start_at")
    )


def current_plan(window):
    return (
        DeliveryPlan.objects.filter(window=window, current=True)
        .select_related("window", "window__market")
        .first()
    )


def latest_plan(window):
    return (
        DeliveryPlan.objects.filter(window=window)
        .select_related("job")
        .order_by("-created_at", "-id")
        .first()
    )


def route_sheet(route) -> list[Stop]:
    """The route's stops in order, each with its bags (floor, room) and the
    household codes the courier reads at the door."""
    bags = Delivery.objects.select_related(
        "order", "order__household", "order__household__unit"
    ).order_by("order__household__floor", "order__household__room")
    return list(
        route.stops.select_related("building", "building__compound", "unit")
        .prefetch_related(Prefetch("deliveries", queryset=bags))
        .order_by("seq")
    )


def unserved_stops(plan):
    return list(
        plan.stops.filter(route__isnull=True)
        .select_related("building", "building__compound", "unit")
        .prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.select_related("order__household"))
        )
        .order_by("building__compound__code", "building__name", "unit__name")
    )


HANDED = Q(status=DeliveryStatus.DELIVERED) | Q(order__handed_at__isnull=False)


def board(plan) -> dict:
    """Delivered / total per courier and a predicted finish per courier: the
    planned ETA of their last stop, moved by how late or early they run now
    (the last delivered stop's actual time against its ETA)."""
    now = timezone.now()
    per_route = {
        r["stop__route"]: r
        for r in plan.deliveries.filter(stop__route__isnull=False)
        .values("stop__route")
        .annotate(
            total=Count("pk"),
            # A bag the market handed over itself (the household came to the
            # pick-up point) is no longer the courier's to carry.
            delivered=Count("pk", filter=HANDED),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED) & ~HANDED),
            last_at=Max("delivered_at"),
        )
    }
    lag = _lag_by_route(plan)
    rows = []
    for route in plan.routes.select_related("courier").order_by("seq"):
        counts = per_route.get(route.pk, {"total": 0, "delivered": 0, "failed": 0, "last_at": None})
        last_eta = route.stops.aggregate(m=Max("eta"))["m"]
        predicted = last_eta + lag.get(route.pk, timezone.timedelta(0)) if last_eta else None
        if counts["total"] and counts["delivered"] == counts["total"]:
            predicted = counts["last_at"]
        rows.append(
            {
                "route": route,
                "courier": route.courier,
                "total": counts["total"],
                "delivered": counts["delivered"],
                "failed": counts["failed"],
                "percent": round(100 * counts["delivered"] / counts["total"])
                if counts["total"]
                else 100,
                "predicted": predicted,
                "late": bool(predicted and predicted > plan.deadline_at),
                "done": counts["total"] > 0 and counts["delivered"] == counts["total"],
            }
        )
    totals = {
        "total": sum(r["total"] for r in rows),
        "delivered": sum(r["delivered"] for r in rows),
        "failed": sum(r["failed"] for r in rows),
        "unserved": plan.deliveries.filter(status=DeliveryStatus.UNSERVED).count(),
    }
    finish = max((r["predicted"] for r in rows if r["predicted"]), default=None)
    return {
        "plan": plan,
        "rows": rows,
        "totals": totals,
        "finish": finish,
        "late": bool(finish and finish > plan.deadline_at),
        "now": now,
    }


def _lag_by_route(plan) -> dict:
    """How far behind (positive) or ahead each courier runs: now against the
    ETA of the first stop still open, or the last hand-off against its ETA."""
    now = timezone.now()
    lag = {}
    open_eta = defaultdict(list)
    for route_id, eta, status, at in plan.deliveries.filter(stop__route__isnull=False).values_list(
        "stop__route", "stop__eta", "status", "delivered_at"
    ):
        if status == DeliveryStatus.DELIVERED:
            lag[route_id] = max(lag.get(route_id, timezone.timedelta(0)), at - eta)
        else:
            open_eta[route_id].append(eta)
    for route_id, etas in open_eta.items():
        late_now = now - min(etas)
        if late_now > lag.get(route_id, timezone.timedelta(0)):
            lag[route_id] = late_now
    return lag


def delivery_of_order(order):
    """The bag's delivery in the window's current plan (or None), for the
    resident's order page: planned ETA, state and time delivered."""
    return (
        Delivery.objects.filter(order=order, plan__current=True, plan__status=PlanStatus.DONE)
        .select_related("stop")
        .first()
    )


def resident_view(order) -> dict:
    """What the household's order page shows about the delivery."""
    return {"delivery": delivery_of_order(order), "pickup_code": pickup_code(order.code)}


def windows_to_plan(user):
    """Windows of markets whose delivery the user plans."""
    from wanjia.market.models import OrderWindow

    return OrderWindow.objects.filter(
        scope_q(user, roles=CAPABILITIES["delivery.plan"], compound="market__compound_id")
    ).select_related("market", "market__compound")


def windows_to_watch(user):
    from wanjia.market.models import OrderWindow

    return OrderWindow.objects.filter(
        scope_q(user, roles=_watch_roles(), compound="market__compound_id")
    ).select_related("market", "market__compound")


def run_state(plan, delivered: int | None = None) -> tuple[str, str]:
    """(css class, label) of a plan and, once computed, of its run.

    A computed plan is "方案已生成", never "已完成": beside "3 / 89 bags" that read
    as a finished run. With the delivered count, a computed plan reads as its run:
    待出发 (nothing delivered), 配送中, or 已送完 (every bag it serves delivered)."""
    if plan.status == PlanStatus.FAILED:
        return "st-overdue", str(plan.get_status_display())
    if plan.status != PlanStatus.DONE:
        return "st-due", str(plan.get_status_display())
    if delivered is None:
        return "st-done", _("方案已生成")
    if plan.served_bags and delivered >= plan.served_bags:
        return "st-done", _("已送完")
    return "st-due", _("配送中") if delivered else _("待出发")
