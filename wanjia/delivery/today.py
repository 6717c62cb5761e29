"""Today's-work cards of delivery: a courier sees their route (bags delivered of
their total, and the next door); who plans sees windows waiting for a plan and
today's live board, red when the predicted finish passes the deadline."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.scoping import can_anywhere
from wanjia.core.today import Card, today_provider
from wanjia.market.models import WindowStatus

from . import selectors
from .models import DeliveryStatus


@today_provider(order=35)
def delivery_today(user) -> list[Card]:
    cards = [_route_card(route) for route in selectors.my_routes_today(user)]
    if can_anywhere(user, "delivery.watch") or can_anywhere(user, "delivery.plan"):
        cards.extend(_board_cards(user))
    return cards


def _route_card(route) -> Card:
    nxt = (
        route.stops.filter(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
        .select_related("building", "unit")
        .order_by("seq")
        .first()
    )
    detail = (
        _("下一站 %(place)s，预计 %(eta)s")
        % {
            "place": f"{nxt.building.name}{nxt.unit.name}",
            "eta": f"{timezone.localtime(nxt.eta):%H:%M}",
        }
        if nxt
        else _("全部送完，辛苦了")
    )
    return Card(
        title=_("我的配送 · %(t)s") % {"t": route.plan.window.title},
        count=route.total - route.done,
        url=reverse("delivery_route", args=[route.pk]),
        detail=detail,
        status="done" if route.total == route.done else "due",
    )


def _board_cards(user) -> list[Card]:
    today = timezone.localdate()
    cards = []
    plans = selectors.plans_visible_to(user).filter(current=True, window__delivery_date=today)
    for plan in plans[:5]:
        board = selectors.board(plan)
        totals = board["totals"]
        finish = board["finish"]
        cards.append(
            Card(
                title=_("配送进度 · %(t)s") % {"t": plan.window.title},
                count=totals["delivered"],
                url=reverse("delivery_board", args=[plan.pk]),
                detail=_("已送 %(d)s / %(n)s 袋，预计 %(at)s 送完")
                % {
                    "d": totals["delivered"],
                    "n": totals["total"],
                    "at": f"{timezone.localtime(finish):%H:%M}" if finish else "—",
                },
                status="overdue"
                if board["late"]
                else ("done" if totals["delivered"] == totals["total"] else "due"),
            )
        )
    waiting = (
        selectors.windows_to_plan(user)
        .filter(
            delivery_date__gte=today,
            status__in=[WindowStatus.CLOSED, WindowStatus.RECEIVED, WindowStatus.PACKED],
        )
        .exclude(delivery_plans__current=True)
    )
    for window in waiting[:5]:
        cards.append(
            Card(
                title=_("待规划配送 · %(t)s") % {"t": window.title},
                url=reverse("delivery_window", args=[window.pk]),
                detail=_("已截单，请安排配送员和路线"),
                status="due",
            )
        )
    return cards
