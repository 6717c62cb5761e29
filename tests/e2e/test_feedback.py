"""好差评 in a real browser: a resident rates a settled dispute on a phone
(不满意, with a comment), the rating shows in their record, the manager's
work queue has the return call, and the rate page passes axe-core at phone
width without sideways scrolling."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _settled(people):
    from wanjia.disputes.models import Case, CaseParty

    resolved = timezone.now() - timedelta(hours=3)
    case = Case.objects.create(
        compound=people.a,
        building=people.home.building,
        category="leak",
        summary="楼上漏水",
        level="building",
        status="resolved",
        source="resident",
        opened_at=resolved - timedelta(days=1),
        due_at=resolved + timedelta(days=2),
        resolved_at=resolved,
        resolved_level="building",
    )
    CaseParty.objects.create(case=case, household=people.home, label="101")
    return case


def test_resident_rates_on_a_phone(browser, live_server, page, people, log_in):
    from axe_playwright_python.sync_playwright import Axe

    from wanjia.feedback.models import Loop, Rating

    case = _settled(people)
    log_in(page, "res_a")
    page.goto("/h5/feedback/")
    item = page.get_by_test_id("to-rate")
    expect(item).to_have_count(1)
    item.get_by_role("link", name="评价").click()
    expect(page.get_by_test_id("rate-form")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the rate page scrolls sideways ({width}px)"
    violations = Axe().run(page).response["violations"]
    assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations
    page.get_by_text("不满意", exact=True).click()
    page.locator("textarea[name=comment]").fill("调解后楼上还是漏水")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_test_id("my-rating")).to_contain_text("不满意")
    expect(page.get_by_test_id("nothing-to-rate")).to_be_visible()
    rating = Rating.objects.get(kind="dispute", subject_id=case.pk)
    assert rating.level == 2 and rating.comment == "调解后楼上还是漏水"
    assert Loop.objects.get(rating=rating).stage == "call"

    desk = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    manager = desk.new_page()
    log_in(manager, "mgr_a")
    manager.goto(f"/console/feedback/c/{people.a.pk}/")
    expect(manager.get_by_test_id("loop-row")).to_contain_text("待回访")
    desk.close()
