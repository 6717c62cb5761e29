"""The market's demo data on the small demo city: idempotent, an open window
at any hour, past windows whose numbers add up."""

from datetime import datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum

from wanjia.demo.fixtures import market as demo
from wanjia.market.models import Market, Offer, OrderLine, OrderStatus, OrderWindow, WindowStatus

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def small_city(db):
    call_command(
        "load_demo", "--scale", "small", "--no-modules", stdout=StringIO(), stderr=StringIO()
    )


def _open_now():
    from django.utils import timezone

    now = timezone.now()
    return OrderWindow.objects.filter(
        status=WindowStatus.OPEN, opens_at__lte=now, closes_at__gt=now
    )


def test_demo_market_loads_once_and_always_has_an_open_window(small_city):
    day = datetime.now(SHANGHAI).date()
    with time_machine.travel(datetime.combine(day, time(3, 0), SHANGHAI), tick=True):
        demo.load(stdout=StringIO())
        assert Market.objects.count() == 1
        assert _open_now().count() == 1
        statuses = set(OrderWindow.objects.values_list("status", flat=True))
        assert {WindowStatus.PACKED, WindowStatus.RECEIVED, WindowStatus.OPEN} <= statuses
        windows = OrderWindow.objects.count()
        demo.load(stdout=StringIO())  # idempotent
        assert (Market.objects.count(), OrderWindow.objects.count()) == (1, windows)
    with time_machine.travel(
        datetime.combine(day + timedelta(days=1), time(23, 30), SHANGHAI), tick=True
    ):
        demo.load(stdout=StringIO())  # a later evening: yesterday's window has closed
        assert _open_now().count() == 1
        assert Market.objects.count() == 1
    for offer in Offer.objects.all():
        sold = (
            OrderLine.objects.filter(offer=offer, order__status=OrderStatus.PLACED).aggregate(
                s=Sum("qty")
            )["s"]
            or 0
        )
        assert sold + offer.stock_left == offer.stock
