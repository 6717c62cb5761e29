"""A delivered bag as a rateable subject (好差评), registered with the kernel
from ``apps.py``: the order (the bag) of one of the caller's households, finished
when one of its deliveries was handed over."""

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.rateables import Subject, households_of
from wanjia.market.models import Order

from .models import DeliveryStatus


def _bags(household_ids):
    return (
        Order.objects.filter(household_id__in=household_ids)
        .select_related("compound")
        .annotate(
            done_at=Max(
                "deliveries__delivered_at",
                filter=Q(deliveries__status=DeliveryStatus.DELIVERED),
            )
        )
    )


def _subject(order) -> Subject:
    return Subject(
        kind="bag",
        id=order.pk,
        label=_("菜篮子配送 %(code)s") % {"code": order.code},
        url=reverse("market_h5_order", args=[order.pk]),
        compound_id=order.compound_id,
        company_id=order.compound.company_id,
        household_id=order.household_id,
        finished_at=order.done_at,
    )


def find_bag(user, pk: int) -> Subject | None:
    order = _bags(households_of(user)).filter(pk=pk).first()
    return _subject(order) if order is not None else None


def recent_bags(household_ids, since) -> list[Subject]:
    return [_subject(o) for o in _bags(household_ids).filter(done_at__gte=since)[:50]]
