"""Reads of markets and their order windows, scoped: who sees a market and which
windows (drafts only to who manages the market)."""

from django.db.models import Count, Q
from django.utils import timezone

from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import can, scope_q
from wanjia.estates.selectors import compounds_visible_to

from ..access import can_manage, can_operate
from ..models import (
    Market,
    OrderStatus,
    OrderWindow,
    WindowStatus,
)


def markets_visible_to(user):
    visible = compounds_visible_to(user).values("pk")
    return (
        Market.objects.filter(Q(compounds__in=visible) | Q(compound__in=visible))
        .distinct()
        .select_related("compound", "compound__company")
    )


def markets_for_console(user) -> list:
    """The markets whose console page ``user`` may use (operate, order for
    residents, or read orders), each with ``served`` (compounds it serves)."""
    return [
        m
        for m in markets_visible_to(user).annotate(served=Count("compounds", distinct=True))
        if can_operate(user, m)
        or can(user, "market.order_for_resident", compound=m.compound)
        or can(user, "market.view_orders", compound=m.compound)
    ]


def compounds_to_start_market(user) -> list:
    """Compounds where ``user`` may set up a market."""
    return [c for c in compounds_visible_to(user) if can(user, "market.manage", compound=c)]


def can_open_market_home(user) -> bool:
    """What the console's 菜篮子 page requires; the menu asks the same."""
    return bool(markets_for_console(user) or compounds_to_start_market(user))


def markets_operated_by(user):
    """Markets whose operator compound the user works in with an operating role."""
    roles = CAPABILITIES["market.operate"] | CAPABILITIES["market.manage"]
    return Market.objects.filter(scope_q(user, roles=roles, compound="compound_id")).select_related(
        "compound"
    )


def windows_visible_to(user):
    markets = list(markets_visible_to(user))
    managed = [m.pk for m in markets if can_manage(user, m)]
    return (
        OrderWindow.objects.filter(market__in=[m.pk for m in markets])
        .filter(~Q(status=WindowStatus.DRAFT) | Q(market__in=managed))
        .select_related("market", "market__compound")
    )


def windows_for_compound(user, compound):
    return windows_visible_to(user).filter(market__compounds=compound).distinct()


def offers_of(window):
    return window.offers.select_related("item").order_by("sort", "id")


def served_compound_ids(window) -> set[int]:
    """The compounds whose households ``window``'s market serves."""
    return set(window.market.compounds.values_list("pk", flat=True))


def markets_serving(user, households):
    """The markets ``user`` sees that serve one of ``households``' compounds."""
    return markets_visible_to(user).filter(compounds__in=[h.compound_id for h in households])


def slot_of(window, pk):
    """One of ``window``'s pickup slots, or None."""
    return window.slots.filter(pk=pk).first()


def current_windows(market, now=None, *, limit: int = 3):
    """A market's published windows still of interest (not closed and packed), latest first."""
    now = now or timezone.now()
    return (
        market.windows.exclude(status=WindowStatus.DRAFT)
        .filter(Q(closes_at__gt=now) | ~Q(status=WindowStatus.PACKED))
        .order_by("-opens_at")[:limit]
    )


def window_rows(market, *, limit: int = 30):
    """A market's windows with their live orders counted, latest first."""
    return market.windows.annotate(
        live=Count("orders", filter=Q(orders__status=OrderStatus.PLACED))
    ).order_by("-opens_at")[:limit]


def board_market(pk):
    """An active market for the public price board, or None."""
    return Market.objects.filter(pk=pk, active=True).first()


def board_window(market):
    """The window on sale now, else the latest published one."""
    windows = OrderWindow.objects.filter(market=market).exclude(status=WindowStatus.DRAFT)
    now = timezone.now()
    current = (
        windows.filter(status=WindowStatus.OPEN, closes_at__gt=now).order_by("closes_at").first()
    )
    return current or windows.order_by("-opens_at").first()


def with_slots(windows):
    return windows.prefetch_related("slots")


def window_is_visible(user, window) -> bool:
    return windows_visible_to(user).filter(pk=window.pk).exists()
