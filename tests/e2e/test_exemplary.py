"""Exemplary cases on a 390 px phone: the regulator selects and publishes a
nomination, the public page (no login) shows it, the manager's nominations
page fits. Screenshots go to $WANJIA_SCREENSHOTS when it is set."""

import os

import pytest
from playwright.sync_api import expect

from .test_emergency import _fits as _fits_only

pytestmark = pytest.mark.e2e


def _fits(page):
    _fits_only(page)
    shots = os.environ.get("WANJIA_SCREENSHOTS")
    if shots:
        name = page.url.split("//", 1)[-1].split("/", 1)[-1].strip("/").replace("/", "_")
        page.screenshot(path=f"{shots}/exemplary-{name or 'home'}.png", full_page=True)


def test_exemplary_pages_fit_a_phone(people, page, log_in):
    """The regulator's review queue and a case, the manager's nominations and
    the public page (no login) at 390 px: nothing scrolls sideways."""
    from wanjia.supervision.exemplary import services
    from wanjia.supervision.tests.exemplary_support import FORM, deed, register, unregister

    register()
    try:
        case = services.nominate(actor=people.manager_a, key=deed(people.a), **FORM)
        log_in(page, people.regulator.username)
        for url in ("/gov/exemplary/", f"/gov/exemplary/{case.pk}/"):
            page.goto(url)
            _fits(page)
        page.get_by_test_id("ex-select").click()
        page.get_by_test_id("ex-publish").click()
        expect(page.get_by_test_id("ex-status")).to_contain_text("已发布")
        page.context.clear_cookies()
        page.goto("/exemplary/")
        expect(page.get_by_test_id("ex-public-case")).to_contain_text(FORM["title"])
        _fits(page)
        page.get_by_test_id("ex-public-case").get_by_role("link").click()
        expect(page.locator("main")).to_contain_text(FORM["citation"])
        _fits(page)
        log_in(page, people.manager_a.username)
        page.goto("/console/exemplary/")
        _fits(page)
    finally:
        unregister()
