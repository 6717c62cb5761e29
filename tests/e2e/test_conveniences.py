"""A resident books a haircut on a phone: services tab → 便民服务 → the
service → a slot (three taps), sees it under 我的预约 with what is left
updated, then cancels it."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_resident_books_and_cancels_a_haircut_on_a_phone(people, page, log_in):
    from wanjia.conveniences import services
    from wanjia.conveniences.models import Booking, Status

    hair = services.service_create(
        actor=people.manager_a,
        compound=people.a,
        name="党员义剪",
        kind="slot",
        resources="王师傅\n李师傅",
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    services.slots_generate(
        actor=people.manager_a, service=hair, day=tomorrow, start=time(9), end=time(10)
    )
    log_in(page, "res_a")
    page.goto("/h5/services/")
    page.get_by_role("link", name="便民服务").first.click()
    page.get_by_test_id("service-link").filter(has_text="党员义剪").click()
    expect(page.get_by_test_id("slot")).to_have_count(8)
    page.get_by_test_id("book").first.click()
    expect(page.get_by_test_id("my-booking")).to_contain_text("党员义剪")
    expect(page.get_by_test_id("my-booking")).to_contain_text("已预约")
    booking = Booking.objects.get(household=people.home)
    assert booking.status == Status.BOOKED and booking.slot.booked == 1
    page.get_by_test_id("my-booking").get_by_role("button", name="取消").click()
    expect(page.get_by_test_id("no-bookings")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
