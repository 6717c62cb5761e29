"""A volunteer on a phone: signs up for a shift from the task list, checks in
on arrival and checks out at the end; the place is taken once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_volunteer_signs_up_and_checks_in_on_a_phone(people, page, log_in):
    from wanjia.volunteers import services
    from wanjia.volunteers.models import Signup, Task

    start = timezone.now() + timedelta(minutes=10)
    task = services.task_post(
        actor=people.manager_a,
        compound=people.a,
        title="清晨菜篮子分拣",
        kind="sorting",
        place="南门分拣点",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        places=2,
    )
    log_in(page, "vol_a")
    page.goto("/h5/")
    expect(page.locator("main")).not_to_contain_text("还没有关联到住户")
    page.goto("/h5/volunteers/tasks/")
    card = page.get_by_test_id("vl-task").filter(has_text="清晨菜篮子分拣")
    expect(card).to_contain_text("还剩 2 个名额")
    card.get_by_test_id("vl-signup").click()
    page.wait_for_url("**/h5/volunteers/mine/")
    expect(page.locator("main")).to_contain_text("报名成功")
    mine = page.get_by_test_id("vl-mine").filter(has_text="清晨菜篮子分拣")
    mine.get_by_test_id("vl-checkin").click()
    expect(page.locator("main")).to_contain_text("已签到")
    page.get_by_test_id("vl-mine").filter(has_text="清晨菜篮子分拣").get_by_test_id(
        "vl-checkout"
    ).click()
    expect(page.locator("main")).to_contain_text("已签退")
    row = Signup.objects.get(task=task, volunteer__user=people.volunteer_a)
    assert row.checked_in_at is not None and row.checked_out_at is not None
    assert Task.objects.get(pk=task.pk).taken == 1
