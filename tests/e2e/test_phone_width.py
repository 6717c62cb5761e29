"""A manager on a 390 px phone: no main page scrolls sideways.

Screenshots go to $WANJIA_SCREENSHOTS when it is set."""

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _pages(people, kit) -> list[str]:
    w, m = kit.window.pk, kit.market.pk
    return [
        "/console/",
        f"/console/compounds/{people.a.pk}/",
        f"/console/buildings/{people.home.building_id}/",
        f"/console/households/{people.home.pk}/",
        f"/console/market/{m}/",
        f"/console/market/{m}/catalog/",
        f"/console/market/{m}/suppliers/",
        f"/console/market/w/{w}/",
        f"/console/market/w/{w}/orders/",
        f"/console/market/w/{w}/purchase/",
        f"/console/market/w/{w}/receiving/",
        f"/console/market/w/{w}/sorting/",
        f"/console/market/w/{w}/report/",
        f"/console/market/orders/{kit.orders[0].pk}/",
        f"/console/delivery/w/{w}/",
        "/console/disputes/",
        "/console/party/",
    ]


def test_manager_pages_fit_a_390px_phone(people, page, log_in):
    from wanjia.delivery.testing import sorted_window

    kit = sorted_window(people)
    log_in(page, people.manager_a.username)
    folder = os.environ.get("WANJIA_SCREENSHOTS")
    wide = {}
    for n, url in enumerate(_pages(people, kit)):
        response = page.goto(url)
        assert response.status == 200, url
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            wide[url] = width
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{folder}/phone_{n:02d}.png", full_page=True)
    assert not wide, wide


def test_desk_header_keeps_brand_and_user_menu_on_one_line(people, browser, live_server, log_in):
    """At 1280 px with every section in the menu (a superuser sees them all), only
    the sections wrap: 万家 once broke into 万/家, 消息 into 消/息, and the user's
    name shrank to one character."""
    from wanjia.core.models import User

    User.objects.filter(pk=people.regulator.pk).update(is_superuser=True, is_staff=True)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    try:
        log_in(page, people.regulator.username)
        page.goto("/console/")
        sections = page.locator(".topnav a").count()
        assert sections >= 9
        line = page.evaluate(
            """() => [...document.querySelectorAll('.brand, .usermenu a, .usermenu button')]
                .filter(e => e.offsetParent)
                .map(e => [e.textContent.trim(), e.getBoundingClientRect().height,
                           parseFloat(getComputedStyle(e).lineHeight) || 24])"""
        )
        tall = [(text, h) for text, h, lh in line if h > 44]
        assert not tall, tall
    finally:
        context.close()
