"""What the delivery pages share: finding a plan, route or bag the way tenancy
asks (outside the user's compounds: 404, as if missing; inside but without the
role: 403), and the plain data the route drawing is made from."""

from django.db.models import Q
from django.utils.translation import gettext as _

from wanjia.core.errors import errors_of as kernel_errors_of
from wanjia.core.scoping import gate, scope_q
from wanjia.market.models import Market, OrderWindow

from .. import selectors, svg
from ..access import can_plan, can_watch
from ..models import Delivery, DeliveryPlan, Route
from ..services.problem import where, where_compound


def errors_of(exc: Exception) -> dict:
    """{field: [messages]} from a ValidationError or a refusal (these templates
    read whole-form errors under "__all__")."""
    return kernel_errors_of(exc, all_key="__all__")


def watches(user, market) -> bool:
    return can_watch(user, market) or can_plan(user, market)


def member_q(user, path: str) -> Q:
    """Records of compounds the user belongs to in any role."""
    return scope_q(user, compound=path)


def market_for(request, market_id) -> Market:
    user = request.user
    return gate(
        user,
        selectors.market_rows(),
        market_id,
        compound="compound_id",
        allowed=lambda market: watches(user, market),
    )


def window_for(request, window_id) -> OrderWindow:
    user = request.user
    return gate(
        user,
        selectors.window_rows(),
        window_id,
        compound="market__compound_id",
        allowed=lambda window: watches(user, window.market),
    )


def plan_for(request, pk) -> DeliveryPlan:
    user = request.user
    return gate(
        user,
        selectors.plan_rows(),
        pk,
        compound="compound_id",
        allowed=lambda plan: watches(user, plan.window.market),
    )


def own_route(user, route) -> bool:
    return route.courier.user_id is not None and route.courier.user_id == user.pk


def route_for(request, pk) -> Route:
    """A route the user carries, or one of a plan they may watch."""
    user = request.user
    return gate(
        user,
        selectors.route_rows(),
        pk,
        compound="plan__compound_id",
        also=Q(courier__user=user),
        allowed=lambda route: own_route(user, route) or watches(user, route.plan.window.market),
    )


def delivery_for(request, pk) -> Delivery:
    """A bag of a route the user carries or of a plan in their compounds; who
    may hand it off is the service's question (403 when not)."""
    user = request.user
    return gate(
        user,
        selectors.delivery_rows(),
        pk,
        compound="plan__compound_id",
        also=Q(stop__route__courier__user=user),
    )


# --- the drawing ----------------------------------------------------------------------


def _place(building, label: str) -> svg.Place | None:
    spot = where(building)
    return svg.Place(spot[0], spot[1], label) if spot else None


def map_data(plan: DeliveryPlan) -> svg.MapData | None:
    """The plan's routes as plain data for ``svg.route_map`` (None when the
    market has no position to draw around)."""
    market = plan.window.market
    depot = where_compound(market.compound)
    if depot is None:
        return None
    stops = selectors.map_stops(plan)
    compounds = {s.building.compound for s in stops} - {market.compound}
    gates = tuple(
        svg.Place(c.lat, c.lng, c.name)
        for c in sorted(compounds, key=lambda c: c.code)
        if c.lat is not None and c.lng is not None
    )
    routes = []
    for route in selectors.plan_routes(plan):
        trips: dict[int, list] = {}
        for s in stops:
            if s.route_id == route.pk:
                spot = _place(s.building, f"{s.building.name}{s.unit.name}")
                if spot:
                    trips.setdefault(s.trip, []).append(spot)
        routes.append(
            svg.RouteLine(route.courier.name, tuple(tuple(t) for _k, t in sorted(trips.items())))
        )
    unserved = tuple(
        p
        for s in stops
        if s.route_id is None
        for p in [_place(s.building, f"{s.building.compound.name}{s.building.name}{s.unit.name}")]
        if p
    )
    return svg.MapData(
        depot=svg.Place(depot[0], depot[1], market.name),
        gates=gates,
        routes=tuple(routes),
        unserved=unserved,
        title=_("%(window)s 配送路线") % {"window": plan.window.title},
        legend_unserved=_("未能安排"),
    )


def map_svg(plan: DeliveryPlan) -> str:
    data = map_data(plan)
    return svg.route_map(data) if data else ""


def floor_span(stop) -> str:
    """The floors a stop's deliveries go to, "3" or "3–7" (never "3–3"), for the
    courier's route and the printed run sheet alike."""
    floors = sorted({d.order.household.floor for d in stop.deliveries.all()})
    if not floors:
        return ""
    return f"{floors[0]}–{floors[-1]}" if floors[0] != floors[-1] else str(floors[0])
