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
