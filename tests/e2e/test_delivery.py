"""无接触配送 in a real browser, end to end.

The manager plans the sorted window's door bags on a desk screen and sees the
plan (served, predicted finish, courier suggestion, route drawing); the courier
opens their route on a phone and hands over two bags with the households'
pickup codes (one wrong code first, refused in place); the resident then sees
"delivered at HH:MM" on their order page, and the manager's live board counts
the two bags. Set WANJIA_SCREENSHOTS=/some/dir to keep screenshots."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    folder = os.environ.get("WANJIA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/delivery_{name}.png", full_page=True)


@pytest.fixture
def kit(people):
    from wanjia.delivery.testing import post_courier, sorted_window

    kit = sorted_window(people)
    post_courier(people, kit, user=people.staff_a, name="赵师傅")
    return kit


def test_manager_plans_courier_delivers_two_bags_resident_sees_the_time(
    people, kit, page, desk_page, log_in, browser, live_server
):
    from django.utils import timezone

    from wanjia.delivery.codes import pickup_code
    from wanjia.delivery.models import Delivery

    # The manager plans on a desk screen.
    log_in(desk_page, "mgr_a")
    desk_page.goto(f"/console/delivery/w/{kit.window.pk}/")
    desk_page.locator("input[name=seconds]").fill("1")
    desk_page.get_by_test_id("plan-submit").click()
    expect(desk_page.get_by_test_id("served")).to_have_text("12 / 12", timeout=60_000)
    expect(desk_page.get_by_test_id("advice")).to_be_visible()
    expect(desk_page.locator("svg polyline")).to_have_count(1)
    _shot(desk_page, "plan")

    # The courier delivers the resident's bag and one more, on a phone.
    home_bag = Delivery.objects.get(order__household=people.home, plan__current=True)
    other_bag = (
        Delivery.objects.filter(plan__current=True).exclude(pk=home_bag.pk).order_by("pk").first()
    )
    log_in(page, "staff_a")
    page.goto("/console/delivery/mine/")
    page.get_by_test_id("my-route").first.click()
    row = page.locator(f"#d-{home_bag.pk}")
    wrong = "000000" if pickup_code(home_bag.order.code) != "000000" else "111111"
    row.get_by_test_id("code-input").fill(wrong)
    row.get_by_test_id("confirm-code").click()
    expect(page.locator(f"#d-{home_bag.pk}")).to_contain_text("取货码不对")
    for bag in (home_bag, other_bag):
        row = page.locator(f"#d-{bag.pk}")
        row.get_by_test_id("code-input").fill(pickup_code(bag.order.code))
        row.get_by_test_id("confirm-code").click()
        expect(page.locator(f"#d-{bag.pk}")).to_contain_text("已于")
    expect(page.get_by_test_id("route-progress")).to_contain_text("已送 2 / 12")
    _shot(page, "courier_route")

    # The resident sees the time on a phone of their own.
    home_bag.refresh_from_db()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url
    )
    resident = context.new_page()
    log_in(resident, "res_a")
    resident.goto(f"/h5/market/orders/{home_bag.order_id}/")
    at = timezone.localtime(home_bag.delivered_at).strftime("%H:%M")
    expect(resident.get_by_test_id("delivered-at")).to_have_text(f"已于 {at} 送达门口")
    _shot(resident, "resident_order")
    context.close()

    # The manager's live board counts the two bags.
    desk_page.goto(f"/console/delivery/plan/{home_bag.plan_id}/board/")
    expect(desk_page.get_by_test_id("delivered-total")).to_contain_text("2")
    expect(desk_page.get_by_test_id("delivered-total")).to_contain_text("/ 12")
    _shot(desk_page, "board")
