"""Reads of delivery plans and the live board: who may watch or plan a market's
delivery, the windows to plan, plans and their routes, the board's figures."""

from collections import defaultdict

from django.db.models import Count, Max, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.jobs import jobs_visible_to
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import scope_q
from wanjia.market.models import Fulfilment, Market, Order, OrderStatus, OrderWindow, WindowStatus

from ..models import Delivery, DeliveryPlan, DeliveryStatus, PlanStatus
from .routes import _watch_roles, routes_visible_to


def plans_visible_to(user):
    return DeliveryPlan.objects.filter(
        scope_q(user, roles=_watch_roles(), compound="compound_id")
    ).select_related("window", "window__market", "window__market__compound", "job")


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


def windows_to_plan(user):
    """Windows of markets whose delivery the user plans."""
    return OrderWindow.objects.filter(
        scope_q(user, roles=CAPABILITIES["delivery.plan"], compound="market__compound_id")
    ).select_related("market", "market__compound")


def windows_to_watch(user):
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


def market_rows():
    return Market.objects.select_related("compound")


def window_rows():
    return OrderWindow.objects.select_related("market", "market__compound")


def plan_rows():
    return DeliveryPlan.objects.select_related(
        "window", "window__market", "window__market__compound", "job"
    )


def map_stops(plan) -> list:
    """A plan's stops with what the drawing labels them by, route by route."""
    return list(
        plan.stops.select_related(
            "building", "building__compound", "unit", "route__courier"
        ).order_by("route__seq", "seq")
    )


def plan_routes(plan):
    """A plan's routes with their couriers, in order."""
    return plan.routes.select_related("courier").order_by("seq")


def recent_windows(user, since, *, limit: int = 30) -> list:
    """Published windows ``user`` watches delivering since ``since``, latest first."""
    return list(
        windows_to_watch(user)
        .filter(delivery_date__gte=since)
        .exclude(status=WindowStatus.DRAFT)
        .order_by("-delivery_date", "-closes_at")[:limit]
    )


def planned_markets(user):
    """Markets ``user`` plans for, with their active couriers counted."""
    return Market.objects.filter(
        scope_q(user, roles=CAPABILITIES["delivery.plan"], compound="compound_id")
    ).annotate(active_couriers=Count("couriers", filter=Q(couriers__active=True)))


def plans_of_windows(ids) -> tuple[dict, dict, dict]:
    """(current plan, latest plan, delivered bags of the current plan) by window id."""
    current = {p.window_id: p for p in DeliveryPlan.objects.filter(window__in=ids, current=True)}
    latest = {}
    for p in DeliveryPlan.objects.filter(window__in=ids).order_by("created_at", "id"):
        latest[p.window_id] = p
    delivered = dict(
        Delivery.objects.filter(plan__in=current.values(), status=DeliveryStatus.DELIVERED)
        .values_list("plan")
        .annotate(n=Count("pk"))
    )
    return current, latest, delivered


def door_orders(window) -> dict:
    """The window's live door orders, and how many are handed out already."""
    return Order.objects.filter(
        window=window, status=OrderStatus.PLACED, fulfilment=Fulfilment.DOOR
    ).aggregate(total=Count("pk"), handed=Count("pk", filter=Q(handed_at__isnull=False)))


def recent_plans(window, *, limit: int = 20) -> list:
    return list(window.delivery_plans.select_related("created_by").order_by("-created_at")[:limit])


def job_visible(user, job) -> bool:
    return jobs_visible_to(user).filter(pk=job.pk).exists()


def routes_counted(plan) -> list:
    """A plan's routes with their stops and bags counted, in order."""
    return list(
        plan.routes.select_related("courier")
        .annotate(stop_count=Count("stops"), bag_count=Sum("stops__bags"))
        .order_by("seq")
    )


def plan_couriers(plan):
    return plan.couriers.order_by("name")


def sheet_routes(plan, wanted: str = ""):
    """The routes to print: all, or the one asked for (an empty queryset when
    ``wanted`` names none of the plan's)."""
    routes = plan_routes(plan)
    if wanted:
        routes = routes.filter(pk=int(wanted) if wanted.isdigit() else 0)
    return routes


def markets_watched_by(user):
    """Markets ``user`` watches or plans."""
    roles = CAPABILITIES["delivery.watch"] | CAPABILITIES["delivery.plan"]
    return Market.objects.filter(scope_q(user, roles=roles, compound="compound_id")).select_related(
        "compound"
    )


def plan_routes_visible(user, plan):
    return routes_visible_to(user).filter(plan=plan).order_by("seq")
