"""Emergency command on a 390 px phone: the compound's manager ticks a
checklist item with a photo and sends today's report from the compound page;
the regulator's board shows the compound's report in; after the event is
closed the manager submits the after-action report and nominates the
vanguard team. No page scrolls sideways."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _fits(page):
    page.wait_for_load_state()
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, (page.url, width, inner)


def _jpeg(tmp_path):
    from PIL import Image

    path = tmp_path / "evidence.jpg"
    Image.new("RGB", (80, 60), (200, 22, 29)).save(path, "JPEG")
    return str(path)


def test_compound_page_and_board_on_a_phone(people, page, log_in, tmp_path):
    from wanjia.emergency import services
    from wanjia.emergency.models import AfterAction, EventCompound, Nomination

    event = services.event_open(
        actor=people.regulator,
        kind="flood",
        grade=3,
        title="防汛Ⅲ级响应",
        compound_ids=[people.a.pk],
    )
    services.event_prepare(event.job_id, event.pk)
    ec = EventCompound.objects.get(event=event, compound=people.a)

    log_in(page, people.manager_a.username)
    page.goto(f"/console/emergency/affected/{ec.pk}/")
    _fits(page)
    item = page.get_by_test_id("em-item").first
    item.locator("input[type=file]").set_input_files(_jpeg(tmp_path))
    item.get_by_test_id("em-tick").click()
    expect(page.locator("main")).to_contain_text("已完成")
    page.locator("input[name=on_duty]").fill("6")
    page.locator("textarea[name=note]").fill("地库巡查两次，排水通畅。")
    page.get_by_test_id("em-report").click()
    expect(page.get_by_test_id("em-reported")).to_be_visible()
    _fits(page)

    page.context.clear_cookies()
    log_in(page, people.regulator.username)
    page.goto(f"/console/emergency/events/{event.pk}/")
    expect(page.locator("main")).to_contain_text(people.a.name)
    _fits(page)
    page.locator("summary", has_text="结束应急响应").click()
    page.get_by_test_id("em-close").click()
    expect(page.get_by_test_id("em-after-event-link")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, people.manager_a.username)
    page.goto(f"/console/emergency/affected/{ec.pk}/")
    page.get_by_test_id("em-after-link").click()
    expect(page.locator("textarea[name=happened]")).to_be_visible()
    _fits(page)
    page.locator("textarea[name=happened]").fill("连续降雨，地库入口积水。")
    page.locator("textarea[name=worked]").fill("提前布设沙袋。")
    page.locator("textarea[name=improve]").fill("增加抽水泵储备。")
    page.get_by_test_id("em-after-submit").click()
    expect(page.get_by_test_id("em-after-status")).to_contain_text("待验收")
    page.locator("input[name=nominee]").fill("1号楼党员先锋队")
    page.locator("textarea[name=citation]").fill("连夜转移底楼独居老人。")
    page.get_by_test_id("em-nominate").click()
    expect(page.get_by_test_id("em-nomination")).to_contain_text("1号楼党员先锋队")
    _fits(page)
    assert AfterAction.objects.get(event=event).status == "submitted"
    assert Nomination.objects.filter(event=event, compound=people.a).count() == 1
