"""Panels: apps add to pages they do not own through the kernel's registry; the
page's template names a slot and imports no app."""

from pathlib import Path

import pytest
from django.urls import reverse

from wanjia.core import panels
from wanjia.disputes.services import case_open
from wanjia.estates.models import StaffMember
from wanjia.party import services as party

pytestmark = pytest.mark.django_db


def test_apps_register_their_panels_by_slot():
    slots = panels.slots()
    assert [p.template for p in slots["estates.household"]] == [
        "party/_household_panel.html",
        "disputes/_household_panel.html",
    ]
    assert [p.template for p in slots["market.resident_order"]] == [
        "feedback/_rate_panel.html",  # a bag handed over is rated from its page
        "delivery/_resident.html",
    ]
    # the pages that hold the slots include no other app's template
    root = Path(__file__).resolve().parents[2] / "templates"
    assert "disputes/" not in (root / "estates/household_detail.html").read_text()
    assert "delivery/" not in (root / "market/h5_order.html").read_text()


def test_the_household_page_shows_its_cases_and_its_party_members(world, login):
    url = reverse("household_detail", args=[world.home.pk])
    page = login(world.manager_a).get(url).content.decode()
    assert 'data-testid="panel-disputes"' not in page  # no case yet: no panel
    assert "这栋楼还没有党员联系" in page

    case_open(
        actor=world.manager_a,
        compound=world.a,
        category="noise",
        summary="楼上噪音",
        building=world.home.building,
        households=[world.home],
    )
    branch = party.branch_create(actor=world.secretary_a, name="支部", compounds=[world.a])
    guard = StaffMember.objects.create(
        company=world.a.company,
        compound=world.a,
        name="赵保安",
        user=world.staff_a,
        is_party_member=True,
    )
    member = party.member_add(actor=world.secretary_a, branch=branch, staff=guard)
    party.responsibility_assign(
        actor=world.secretary_a, member=member, building=world.home.building
    )

    page = login(world.manager_a).get(url).content.decode()
    assert 'data-testid="panel-disputes"' in page and "1 件未化解" in page
    assert 'data-testid="panel-party"' in page and "赵保安" in page


def test_a_panel_shows_only_what_the_reader_may_see(world, login):
    case_open(
        actor=world.manager_a,
        compound=world.a,
        category="noise",
        summary="楼上噪音",
        building=world.home.building,
        households=[world.home],
    )
    # a staff member sees the household (masked) but neither cases nor party data
    page = login(world.staff_a).get(reverse("household_detail", args=[world.home.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="panel-disputes"' not in html and 'data-testid="panel-party"' not in html
