"""报事报修 in a real browser: a resident reports a leak on a phone in three
taps (category, a line, where) and sees the ticket's clock; the staff member,
on a phone too, finds it in 我的工单 and accepts it; the resident's clock then
shows the response made on time."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    folder = os.environ.get("WANJIA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_resident_reports_on_a_phone_and_staff_accepts(browser, live_server, page, people, log_in):
    from wanjia.tickets.models import Ticket

    log_in(page, "res_a")
    page.goto("/h5/services/")
    page.get_by_role("link", name="报事报修").first.click()
    page.get_by_test_id("report-new").click()
    form = page.get_by_test_id("report-form")
    form.get_by_label("漏水渗水").check()  # tap 1: what
    form.get_by_role("textbox", name="2. 说说情况").fill(
        "卫生间天花板一直滴水"
    )  # tap 2: what is wrong
    form.get_by_label("我家", exact=False).check()  # tap 3: where
    _shot(page, "tickets-report")
    form.get_by_role("button", name="提交报修").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已提交")
    expect(page.get_by_test_id("target-respond")).to_contain_text("进行中")
    ticket = Ticket.objects.get()
    assert ticket.household_id == people.home.pk and ticket.category.code == "leak"

    staff_context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url
    )
    staff = staff_context.new_page()
    log_in(staff, "staff_a")
    staff.goto("/h5/tickets/work/")
    card = staff.get_by_test_id("work-ticket").filter(has_text=ticket.title)
    expect(card).to_have_count(1)
    card.get_by_role("button", name="受理").click()
    expect(staff.get_by_text("已受理。")).to_be_visible()
    _shot(staff, "tickets-work")
    staff_context.close()

    page.reload()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已派单")
    expect(page.get_by_test_id("target-respond")).to_contain_text("按时")
    _shot(page, "tickets-clock")
