"""A bag handed over as a rateable subject (好差评), registered with the kernel
from ``apps.py``: the order (the bag) of one of the caller's households,
finished when it left our hands, at the door or at the pick-up point
(``Order.handed_at``, which the door hand-off sets too)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.rateables import Subject, households_of
from wanjia.market.models import Order, OrderStatus


def _bags(household_ids):
    return Order.objects.filter(
        household_id__in=household_ids, status=OrderStatus.PLACED
    ).select_related("compound")


def _subject(order) -> Subject:
    return Subject(
        kind="bag",
        id=order.pk,
        label=_("菜篮子 %(code)s") % {"code": order.code},
        url=reverse("market_h5_order", args=[order.pk]),
        compound_id=order.compound_id,
        company_id=order.compound.company_id,
        household_id=order.household_id,
        finished_at=order.handed_at,
    )


def find_bag(user, pk: int) -> Subject | None:
    order = _bags(households_of(user)).filter(pk=pk).first()
    return _subject(order) if order is not None else None


def recent_bags(household_ids, since) -> list[Subject]:
    rows = _bags(household_ids).filter(handed_at__gte=since).order_by("-handed_at")
    return [_subject(o) for o in rows[:50]]
