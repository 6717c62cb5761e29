# ruff: noqa: F811  (the fixtures imported from test_pages are parameters here)
"""The courier's "my delivery" list and card: today's and later routes, and
yesterday's only while bags of it are still open."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from wanjia.core.today import cards_for
from wanjia.delivery import selectors
from wanjia.delivery.models import Delivery, DeliveryStatus

from .test_pages import courier_user, kit, plan_for, planned  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _on(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def test_the_route_shows_on_the_day_and_the_day_after_while_bags_are_open(
    planned,
    courier_user,
):
    day = planned.window.delivery_date
    with time_machine.travel(_on(day)):
        [route] = selectors.my_routes_today(courier_user)
        assert route.total == planned.bags and route.done == 0
        assert any(c.title.startswith("我的配送") for c in cards_for(courier_user))
    with time_machine.travel(_on(day + timedelta(days=1))):
        assert [r.pk for r in selectors.my_routes_today(courier_user)] == [route.pk]
    Delivery.objects.filter(plan=planned).update(status=DeliveryStatus.DELIVERED)
    with time_machine.travel(_on(day + timedelta(days=1))):
        assert list(selectors.my_routes_today(courier_user)) == []
    with time_machine.travel(_on(day)):
        [route] = selectors.my_routes_today(courier_user)
        assert route.done == route.total == planned.bags


def test_a_stale_route_is_gone_two_days_later(planned, courier_user):
    with time_machine.travel(_on(planned.window.delivery_date + timedelta(days=2))):
        assert list(selectors.my_routes_today(courier_user)) == []
