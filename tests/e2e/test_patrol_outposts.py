"""Outposts, the night timeline and the monthly evidence report on a 390 px
phone (nothing scrolls sideways), and the report printed on A4 without the
menus. Screenshots go to $WANJIA_SCREENSHOTS when it is set."""

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_outpost_pages_fit_a_phone_and_the_report_prints(people, page, log_in):
    from wanjia.patrol.tests.test_evidence import build_march

    w = build_march(people)
    a = w.a.pk
    log_in(page, w.manager_a.username)
    folder = os.environ.get("WANJIA_SCREENSHOTS")
    urls = [
        f"/console/patrol/c/{a}/outposts/",
        f"/console/patrol/outposts/{w.north.pk}/",
        f"/console/patrol/outposts/{w.north.pk}/shifts/?date=2026-03-10",
        f"/console/patrol/c/{a}/timeline/?date=2026-03-10",
        f"/console/patrol/c/{a}/evidence/?month=2026-03",
    ]
    wide = {}
    for n, url in enumerate(urls):
        response = page.goto(url)
        assert response.status == 200, url
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            wide[url] = width
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{folder}/outposts_{n:02d}.png", full_page=True)
    assert not wide, wide
    # the timeline's gap is red and visible on the phone
    page.goto(urls[3])
    gap = page.get_by_test_id("gap").first
    assert gap.is_visible() and gap.bounding_box()["width"] >= 2
    # printed: no menus, the figures and their definitions
    page.goto(urls[4])
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.locator(".pt-tabs").is_visible()
    assert page.get_by_test_id("kpi-completion").is_visible()
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pdf.startswith(b"%PDF") and 1 <= pages <= 3, pages
    if folder:
        Path(f"{folder}/evidence.pdf").write_bytes(pdf)
