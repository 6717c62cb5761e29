"""One search box for the console, answered by every app's provider and scoped
like every selector: another compound's records never appear."""

import pytest
from django.urls import reverse

from wanjia.core import search
from wanjia.disputes.services import case_open
from wanjia.market import services as market
from wanjia.market.services import LineIn
from wanjia.market.testing import make_market, open_window

pytestmark = pytest.mark.django_db


def _search(client, q):
    return client.get(reverse("console_search"), {"q": q})


def test_apps_register_their_providers():
    assert [p.key for p in search.providers()][:3] == ["estates", "disputes", "market"]


def test_a_manager_finds_residents_cases_and_orders_of_their_compound(world, login):
    case = case_open(
        actor=world.manager_a,
        compound=world.a,
        category="leak",
        summary="楼上卫生间漏水",
        building=world.home.building,
        households=[world.home],
    )
    kit = make_market(manager=world.manager_a, compound=world.a)
    open_window(kit, manager=world.manager_a)
    name = next(iter(kit.offers))
    order = market.order_place(
        actor=world.resident_a,
        window=kit.window,
        household=world.home,
        lines=[LineIn(kit.offers[name].pk, 1)],
    )
    client = login(world.manager_a)
    html = _search(client, "张伟").content.decode()
    assert 'data-testid="search-estates"' in html and "张伟" in html
    assert reverse("household_detail", args=[world.home.pk]) in html
    html = _search(client, "漏水").content.decode()
    assert (
        'data-testid="search-disputes"' in html and reverse("disputes_case", args=[case.pk]) in html
    )
    html = _search(client, order.code).content.decode()
    assert 'data-testid="search-market"' in html and order.code in html


def test_another_compounds_records_never_appear(world, login):
    case_open(
        actor=world.manager_a,
        compound=world.a,
        category="leak",
        summary="楼上卫生间漏水",
        building=world.home.building,
        households=[world.home],
    )
    client = login(world.outsider_b)
    for q in ("张伟", "漏水"):
        page = _search(client, q)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-testid="search-' not in html and "没有找到" in html


def test_residents_have_no_console_search_and_input_is_escaped(world, login):
    assert _search(login(world.resident_a), "张伟").status_code == 403
    html = _search(login(world.manager_a), "<script>x</script>").content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_the_resident_finder_is_a_page_of_the_search(world, login):
    """One menu entry: the registry's finder (flags, region, live results) lives
    under the console search as a tab, and its old address redirects there."""
    client = login(world.manager_a)
    finder = reverse("console_search_in", args=["estates"])
    html = _search(client, "张伟").content.decode()
    assert 'data-testid="find-tab-estates"' in html and f"{finder}?q=%E5%BC%A0%E4%BC%9F" in html
    r = client.get(finder, {"q": "zw", "flag": "elderly_alone"})
    assert r.status_code == 200 and [x.name for x in r.context["results"]] == ["张伟"]
    assert 'data-testid="find-tab-all"' in r.content.decode()
    old = client.get("/console/search/?q=zw&flag=party")
    assert old.status_code == 302 and old.url == f"{finder}?q=zw&flag=party"
    assert client.get("/console/search/").url == finder
    assert client.get(reverse("console_search_in", args=["market"])).status_code == 404
    assert client.get(reverse("console_search_in", args=["nothing"])).status_code == 404


def test_the_finder_keeps_its_console_gate(world, login):
    finder = reverse("console_search_in", args=["estates"])
    assert login(world.resident_a).get(finder).status_code == 403
