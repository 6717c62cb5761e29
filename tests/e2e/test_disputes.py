"""小事不出楼栋 in a real browser: a resident reports a leak on a phone, the
building leader mediates and settles it on a phone, and the manager's
小事不出楼栋 rate moves from 0% to 50%.

Set WANJIA_SCREENSHOTS=/some/dir to keep phone and desk screenshots."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    folder = os.environ.get("WANJIA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _settled_at_compound(people):
    """Last week's case, settled at compound level: the rate starts at 0%."""
    from wanjia.disputes.models import Case

    opened = timezone.now() - timedelta(days=7)
    Case.objects.create(
        compound=people.a,
        building=people.home.building,
        category="parking",
        summary="占车位",
        level="compound",
        status="closed",
        source="leader",
        opened_at=opened,
        due_at=opened + timedelta(days=7),
        resolved_at=opened + timedelta(days=2),
        resolved_level="compound",
    )


def _rate(page, people) -> str:
    page.goto(f"/console/disputes/figures/?compound={people.a.pk}")
    return page.locator("[data-figure=building_rate]").inner_text()


def test_leak_reported_mediated_resolved_rate_moves(browser, live_server, page, people, log_in):
    from wanjia.disputes.models import Case

    _settled_at_compound(people)
    desk = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    manager = desk.new_page()
    log_in(manager, "mgr_a")
    assert _rate(manager, people) == "0.0%"

    # the resident, on a phone: 服务 → 报告矛盾纠纷
    log_in(page, "res_a")
    page.goto("/h5/services/")
    page.get_by_role("link", name=re.compile("报告矛盾纠纷")).click()
    expect(page).to_have_url(re.compile(r"/h5/disputes/report/$"))
    page.get_by_role("button", name="提交").click()  # nothing chosen: told in place
    expect(page.get_by_text("请选择矛盾类别。")).to_be_visible()
    page.get_by_label("漏水渗水").check()
    page.get_by_label("说说情况").fill("楼上卫生间漏水，渗到我家厨房顶，已经一周了")
    page.get_by_label("和哪一户有关？（选填）").select_option(label="1单元102")
    _shot(page, "h5-report")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="已提交")).to_be_visible()
    expect(page.get_by_text("陈楼长")).to_be_visible()
    _shot(page, "h5-reported")
    case = Case.objects.get(category="leak")
    assert (case.level, case.mediator.username) == ("building", "leader_a")

    # the building leader, on a phone: today's work → the case → mediate → settle
    leader_ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url
    )
    leader = leader_ctx.new_page()
    log_in(leader, "leader_a")
    expect(leader.get_by_text("我的调解")).to_be_visible()
    leader.goto("/console/disputes/")
    _shot(leader, "console-board-phone")
    leader.locator(f'a[href="/console/disputes/{case.pk}/"]').first.click()
    expect(leader.get_by_role("heading", name=re.compile("漏水渗水"))).to_be_visible()
    leader.get_by_label("参加人员").fill("张伟、李娜、陈楼长")
    leader.get_by_label("调解记录").fill("上门查看，楼上卫生间防水层老化，双方同意由楼上修复。")
    leader.get_by_role("button", name="保存调解记录").click()
    expect(leader.get_by_text("调解记录已保存。")).to_be_visible()
    leader.get_by_label("化解结果").fill("楼上修复防水并承担厨房吊顶修补费用")
    leader.get_by_label(re.compile("调解协议内容")).fill(
        "一、楼上三日内修复卫生间防水。\n二、楼上承担吊顶修补费用。"
    )
    leader.get_by_role("button", name="在楼栋层级化解").click()
    expect(leader.get_by_role("link", name="打印调解协议书")).to_be_visible()
    _shot(leader, "console-case-phone")
    case.refresh_from_db()
    assert (case.status, case.resolved_level) == ("resolved", "building")

    # the printable agreement
    leader.goto(f"/console/disputes/{case.pk}/agreement/")
    expect(leader.get_by_role("heading", name="调解协议书")).to_be_visible()
    leader.set_viewport_size({"width": 1000, "height": 1400})
    _shot(leader, "agreement")

    # the rate moved: one of two settled cases stayed in the building
    assert _rate(manager, people) == "50.0%"
    _shot(manager, "figures-desk")
    manager.goto("/console/disputes/")
    _shot(manager, "console-board-desk")

    # the resident sees it settled and rates it
    page.goto(f"/h5/disputes/{case.pk}/")
    page.get_by_label(re.compile("很满意")).check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("谢谢您的评价！")).to_be_visible()
    _shot(page, "h5-case")
    leader_ctx.close()
    desk.close()


def test_typical_agreement_prints_on_one_a4_sheet(browser, live_server, desk_page, people, log_in):
    """Two parties, a few clauses, two mediators: the signature block stays on the
    first (and only) A4 page."""
    from wanjia.disputes import services

    case = services.case_open(
        actor=people.resident_a,
        compound=people.a,
        category="leak",
        summary="楼上卫生间漏水，渗到我家厨房吊顶，已持续两周，双方多次协商未果。",
        households=[people.other_home],
    )
    clauses = "\n".join(
        f"{n}、楼上住户负责在本月内请专业人员修复卫生间防水层，并承担相应费用。"
        for n in "一二三四五"
    )
    services.case_resolve(
        actor=people.leader_a, case=case, resolution="双方达成一致", agreement=clauses
    )
    log_in(desk_page, people.leader_a.username)
    desk_page.goto(f"/console/disputes/{case.pk}/agreement/")
    pdf = desk_page.pdf(format="A4", print_background=False)
    assert _pdf_pages(pdf) == 1


def _pdf_pages(pdf: bytes) -> int:
    """Pages of a Chromium PDF (Skia writes each page object in clear)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
