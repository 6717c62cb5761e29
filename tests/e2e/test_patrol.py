"""The guard's check-in on a phone with the network cut: the tap is queued in
the phone (localStorage) and sent when the network is back, once."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_checkin_queued_offline_is_sent_once_when_back_online(people, page, log_in):
    from wanjia.patrol import services
    from wanjia.patrol.models import CheckIn
    from wanjia.patrol.tests.conftest import build_patrol

    cps, _route, _schedule = build_patrol(people, people.a, people.manager_a)
    log_in(page, "staff_a")
    page.goto("/h5/patrol/scan/?t=" + services.qr_token(cps[0]))
    expect(page.get_by_test_id("checkpoint-name")).to_have_text(cps[0].name)

    page.context.set_offline(True)
    page.get_by_test_id("checkin-button").click()
    expect(page.locator("#pt-result")).to_contain_text("网络不通")
    assert page.evaluate("JSON.parse(localStorage.getItem('wanjia.patrol.queue')).length") == 1
    assert CheckIn.objects.count() == 0

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#pt-result")).to_contain_text("已签到")
    assert page.evaluate("JSON.parse(localStorage.getItem('wanjia.patrol.queue')).length") == 0
    # a second "online" (the 15 s timer, a flaky network) sends nothing again
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    assert CheckIn.objects.filter(user=people.staff_a, checkpoint=cps[0]).count() == 1
