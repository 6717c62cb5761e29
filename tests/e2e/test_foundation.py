"""The foundation in a real browser: a manager browses the registry in Chinese
and in English and reveals a phone number; a resident sees only their own home."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_manager_browses_compound_in_chinese_and_english(page, people, log_in):
    log_in(page, "mgr_a")
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.locator("h1")).to_have_text("今日工作")

    page.goto("/console/compounds/")
    expect(page.locator("h1")).to_have_text("小区")
    expect(page.get_by_role("link", name="幸福里")).to_be_visible()
    expect(page.get_by_text("和平苑")).to_have_count(0)

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Compounds")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="幸福里").click()
    expect(page.get_by_role("heading", name="Buildings")).to_be_visible()
    page.get_by_role("link", name="1栋", exact=True).click()
    page.locator(f'a[href="/console/households/{people.home.pk}/"]').click()
    expect(page.get_by_text("张伟")).to_be_visible()
    expect(page.get_by_text("138****5678")).to_be_visible()
    expect(page.get_by_text("13812345678")).to_have_count(0)

    # the reveal answers in place (htmx) and is audited by the service
    page.locator(f"#phone-{people.home.residents.get().pk} button").click()
    expect(page.get_by_text("13812345678")).to_be_visible()
    from wanjia.core.models import AuditLog

    assert AuditLog.objects.filter(action="estates.resident.revealed_phone").count() == 1


def test_resident_sees_only_own_household(page, people, log_in):
    log_in(page, "res_a")
    expect(page).to_have_url(re.compile(r"/h5/$"))
    expect(page.get_by_text("幸福里 1栋1单元101")).to_be_visible()
    expect(page.get_by_text("138****5678")).to_be_visible()
    expect(page.get_by_text("李娜")).to_have_count(0)

    page.get_by_role("link", name="查看家庭详情").click()
    expect(page).to_have_url(re.compile(rf"/h5/households/{people.home.pk}/$"))

    other = page.goto(f"/h5/households/{people.other_home.pk}/")
    assert other.status == 404
    assert "李娜" not in page.content()
    console = page.goto(f"/console/households/{people.other_home.pk}/")
    assert console.status == 403
    assert "李娜" not in page.content()


def test_elder_mode_is_one_tap_and_remembered(page, people, log_in):
    log_in(page, "res_a")
    page.get_by_role("switch").click()
    expect(page.locator("html")).to_have_class("elder")
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 18
    tab = page.locator(".tabbar a").first.bounding_box()
    assert tab["height"] >= 48
    page.goto("/h5/me/")
    expect(page.locator("html")).to_have_class("elder")
    # nothing wider than a 360px phone
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_manager_desk_console_shows_todays_work(desk_page, people, log_in):
    log_in(desk_page, "mgr_a")
    expect(desk_page.get_by_role("heading", name="我的小区")).to_be_visible()
    # one search entry; the resident finder is its 居民 tab
    expect(desk_page.locator(".topnav").get_by_role("link", name="查找居民")).to_have_count(0)
    desk_page.locator(".topnav").get_by_role("link", name="搜索", exact=True).click()
    desk_page.get_by_test_id("find-tab-estates").click()
    desk_page.locator("#q").fill("zw")
    expect(desk_page.locator("#results").get_by_role("link", name="张伟")).to_be_visible()


def test_every_console_section_is_on_a_phone_screen(page, people, log_in):
    """At 390 px every section is on screen: the bar's own links, and each
    group's links once its button is tapped (one group open at a time)."""
    log_in(page, "mgr_a")

    def on_screen(link):
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, link.inner_text()
        assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]

    bar = page.locator("nav.topnav > a")
    for i in range(bar.count()):
        on_screen(bar.nth(i))
    groups = page.locator("nav.topnav details.navgroup")
    assert groups.count() >= 2
    seen = bar.count()
    for i in range(groups.count()):
        group = groups.nth(i)
        group.locator("summary").click()
        expect(group).to_have_attribute("open", "")
        # opening one closes the others, so their panels never cover it
        expect(page.locator("nav.topnav details.navgroup[open]")).to_have_count(1)
        links = group.locator(".navmenu a")
        for j in range(links.count()):
            on_screen(links.nth(j))
        seen += links.count()
    assert seen >= 9
    # a tap outside closes the open group; the link inside opens its page
    page.mouse.click(195, page.viewport_size["height"] - 10)
    expect(page.locator("nav.topnav details.navgroup[open]")).to_have_count(0)
    groups.first.locator("summary").click()
    target = groups.first.locator(".navmenu a").first
    href = target.get_attribute("href")
    target.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    expect(page.locator("nav.topnav details.navgroup.on")).to_have_count(1)
