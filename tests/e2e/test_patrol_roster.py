"""The supervisor builds a roster from the roster page: the job's result shows
in place (htmx), the grid fills; the page fits a 390 px phone without the page
itself scrolling sideways (the grid scrolls in its own box)."""

import os

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_build_roster_shows_the_result_and_fills_the_grid(people, desk_page, log_in):
    from wanjia.patrol.models import RosterShift
    from wanjia.patrol.tests.roster_kit import build_team

    build_team(people, people.a, people.staff_a, people.volunteer_a)
    page = desk_page
    log_in(page, people.manager_a.username)
    page.goto(f"/console/patrol/c/{people.a.pk}/roster/")
    page.get_by_test_id("build-form").locator("input[name=days]").fill("14")
    page.get_by_test_id("build-form").locator("button").click()
    expect(page.get_by_test_id("roster-built")).to_be_visible(timeout=20_000)
    assert RosterShift.objects.filter(compound=people.a).count() == 14 * 4
    page.reload()
    expect(page.get_by_test_id("roster-row")).to_have_count(7)
    folder = os.environ.get("WANJIA_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/roster_desk.png", full_page=True)


def test_roster_page_fits_a_phone(people, page, log_in):
    from wanjia.patrol.services import rosters
    from wanjia.patrol.tests.roster_kit import build_team

    build_team(people, people.a, people.staff_a, people.volunteer_a)
    start = rosters.week_start(rosters.tonight())
    rosters.roster_build(compound=people.a, start=start, days=28)
    log_in(page, people.manager_a.username)
    page.goto(f"/console/patrol/c/{people.a.pk}/roster/")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    log_in(page, people.staff_a.username)
    page.goto("/h5/patrol/")
    expect(page.get_by_test_id("my-shifts")).to_contain_text("班")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    folder = os.environ.get("WANJIA_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/roster_phone_h5.png", full_page=True)
