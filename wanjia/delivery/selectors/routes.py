"""Reads of routes and deliveries: a courier's route and run sheet, a household's
delivery, bags and the rows the pages list."""

from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import scope_q

from ..codes import pickup_code
from ..models import Courier, Delivery, DeliveryStatus, PlanStatus, Route, Stop


def _watch_roles():
    return CAPABILITIES["delivery.watch"] | CAPABILITIES["delivery.plan"]


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
    # The user's courier records first: most users are no courier, and a join
    # from routes to couriers let PostgreSQL plan from every current delivery
    # plan of the city (0.64 s of the workbench at a million households).
    if not getattr(user, "is_authenticated", False):
        return Route.objects.none()
    couriers = list(Courier.objects.filter(user=user).values_list("pk", flat=True))
    if not couriers:
        return Route.objects.none()
    # A subquery, not a join: the counts below must see every bag of the route.
    unfinished = Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    ).values("stop__route_id")
    return (
        Route.objects.filter(courier_id__in=couriers, plan__current=True)
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


def route_rows():
    return Route.objects.select_related("plan", "plan__window", "plan__window__market", "courier")


def delivery_rows():
    return Delivery.objects.select_related(
        "plan",
        "plan__window__market__compound",
        "stop",
        "stop__route",
        "stop__route__courier",
        "stop__route__plan__window__market",
        "order",
        "order__household",
        "order__household__unit",
    )


def scanned_delivery(deliveries):
    """The bag a scan found, with what confirming it needs."""
    return deliveries.select_related(
        "plan", "stop__route__courier", "stop__route__plan__window__market", "order__household"
    ).first()


def route_progress(route) -> dict:
    """Bags on ``route``: all, delivered, failed and the delivered percentage."""
    counts = Delivery.objects.filter(stop__route=route).aggregate(
        total=Count("pk"),
        delivered=Count("pk", filter=Q(status=DeliveryStatus.DELIVERED)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
    )
    counts["percent"] = round(100 * counts["delivered"] / counts["total"]) if counts["total"] else 0
    return counts


def first_with_stop(deliveries):
    return deliveries.select_related("stop").first()


def route_bag(route, code: str):
    """The bag with order code ``code`` on ``route`` in the current plan, or None."""
    return Delivery.objects.filter(
        stop__route=route, plan__current=True, order__code__iexact=code
    ).first()


def open_bag_of_order(order, open_statuses):
    """The order's open delivery on a route of a current, computed plan, or None."""
    return (
        Delivery.objects.filter(
            order=order,
            plan__current=True,
            plan__status=PlanStatus.DONE,
            status__in=open_statuses,
            stop__route__isnull=False,
        )
        .select_related(
            "stop", "stop__route__courier", "stop__route__plan__window__market", "order"
        )
        .first()
    )
