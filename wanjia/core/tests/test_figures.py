"""The regulator's figures registry: apps register, the regulator's home shows
every registered figure per row and in total (read from the monthly rollups),
and a registered figure agrees with the app's own page figure (one definition)."""

import re

import pytest
from django.urls import reverse

from wanjia.core import figures
from wanjia.core.models import Compound
from wanjia.disputes import selectors as disputes
from wanjia.disputes.services import case_open

pytestmark = pytest.mark.django_db


def test_apps_register_figures_with_their_notes():
    keys = [f.key for f in figures.registered()]
    assert {"disputes.opened", "disputes.compound_rate"} <= set(keys)
    for f in figures.registered():
        assert str(f.label) and str(f.note), f.key
        assert f.kind in {
            figures.COUNT,
            figures.RATIO,
            figures.MINUTES,
            figures.HOURS,
            figures.DAYS,
        }


def test_the_regulator_home_shows_each_figure_per_row_and_in_total(world, login):
    for _ in range(2):
        case_open(
            actor=world.manager_a,
            compound=world.a,
            category="noise",
            summary="噪音",
            building=world.home.building,
            households=[world.home],
        )
    case_open(
        actor=world.outsider_b,
        compound=world.b,
        category="noise",
        summary="噪音",
        building=world.b_home.building,
        households=[world.b_home],
    )
    client = login(world.regulator)
    before = client.get(reverse("gov_home")).content.decode()
    assert 'data-testid="module-figures-empty"' in before  # nothing rolled up yet
    from wanjia.supervision.rollups.services import current_period, rollup_month

    rollup_month(current_period())
    page = client.get(reverse("gov_home"))
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="module-figures"') == 1
    title = html[html.index("<title>") : html.index("</title>")]
    assert "<section" not in title and "工作指标" not in title
    for f in figures.registered():
        assert str(f.label) in html and str(f.note) in html
    # one table per module, under the module's own name, holding its figures
    apps = sorted({f.app for f in figures.registered()})
    assert sorted(re.findall(r'class="module-figures" data-app="(\w+)"', html)) == apps
    disputes_table = html.split('data-app="disputes"')[1].split('class="module-figures"')[0]
    assert (
        "矛盾纠纷" in disputes_table
        and str(figures.figure("disputes.opened").label) in disputes_table
    )
    start, end = figures.last_days(30)
    both = [world.a.pk, world.b.pk]
    assert figures.figure("disputes.opened").compute(both, start, end) == 3
    rows = figures.table([("a", [world.a.pk]), ("b", [world.b.pk])], start, end)
    opened = [f.key for f in figures.registered()].index("disputes.opened")
    assert sum(r["values"][opened] for r in rows) == 3  # rows add up to the total


def test_a_registered_figure_is_the_apps_own_definition(world):
    start, end = figures.last_days(30)
    qs = Compound.objects.filter(pk=world.a.pk)
    own = disputes.figures(qs, since=start, until=end)
    assert figures.figure("disputes.opened").compute([world.a.pk], start, end) == own.opened
    assert (
        figures.figure("disputes.compound_rate").compute([world.a.pk], start, end)
        == own.compound_rate
    )


def test_table_asks_a_figure_that_can_answer_every_row_at_once_only_once():
    from datetime import date

    from wanjia.core import figures

    calls = {"one": 0, "many": 0}

    def one(ids, start, end):
        calls["one"] += 1
        return len(ids)

    def many(groups, start, end):
        calls["many"] += 1
        return [len(ids) for ids in groups]

    saved = dict(figures._FIGURES)
    try:
        figures._FIGURES.clear()
        figures.register("t", "t.n", "n", note="", compute=one, compute_many=many)
        rows = figures.table(
            [("a", [1, 2]), ("b", []), ("c", [3])], date(2026, 1, 1), date(2026, 1, 2)
        )
    finally:
        figures._FIGURES.clear()
        figures._FIGURES.update(saved)
    assert [r["values"] for r in rows] == [[2], [None], [1]]
    assert calls == {"one": 0, "many": 1}
