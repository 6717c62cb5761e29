"""The figures on a fixture whose answers are worked out by hand."""

from datetime import date, timedelta

import pytest
import time_machine

from wanjia.disputes import selectors
from wanjia.disputes.models import Case, CaseParty, Sweep

from .conftest import T0

# (resolved level or None for open, days to resolve, days ago opened, timeouts, risk, category)
ROWS = [
    ("building", 1, 10, 0, "blue", "noise"),
    ("building", 2, 12, 0, "blue", "noise"),
    ("building", 3, 14, 0, "blue", "leak"),
    ("building", 4, 16, 0, "yellow", "leak"),
    ("building", 5, 18, 0, "blue", "pets"),
    ("building", 6, 20, 0, "blue", "parking"),
    ("compound", 7, 22, 1, "yellow", "parking"),
    ("compound", 8, 24, 0, "blue", "fees"),
    ("compound", 9, 26, 1, "red", "noise"),
    ("community", 10, 28, 2, "blue", "renovation"),
    (None, None, 2, 0, "red", "leak"),  # open, red, within its limit
    (None, None, 40, 0, "blue", "noise"),  # open past its deadline (job not yet run)
]


def _make(compound, building, rows):
    cases = []
    for level, days, ago, timeouts, risk, category in rows:
        opened = T0 - timedelta(days=ago)
        c = Case.objects.create(
            compound=compound,
            building=building,
            category=category,
            summary="x",
            risk=risk,
            level=level or "building",
            status="closed" if level else "pending",
            source="leader",
            opened_at=opened,
            due_at=opened + timedelta(days=3),
            timeouts=timeouts,
            resolved_at=opened + timedelta(days=days) if level else None,
            resolved_level=level or "",
        )
        cases.append(c)
    return cases


@pytest.fixture
def fixture_cases(world):
    with time_machine.travel(T0, tick=False):
        cases = _make(world.a, world.home.building, ROWS)
        # compound B's cases never count in A's figures
        _make(world.b, world.b_home.building, [("community", 30, 40, 3, "red", "fees")] * 3)
    CaseParty.objects.create(case=cases[0], household=world.home, label="a", satisfaction=5)
    CaseParty.objects.create(case=cases[1], household=world.home, label="a", satisfaction=3)
    return cases


def test_figures_by_hand(world, fixture_cases):
    with time_machine.travel(T0, tick=False):
        f = selectors.figures(type(world.a).objects.filter(pk=world.a.pk))
    assert f.resolved == 10
    assert f.building_rate == 0.6  # 6 of 10 settled in the building
    assert f.compound_rate == 0.9  # 9 of 10 in the building or the compound
    assert f.median_days == 5.5  # median of 1..10
    assert f.overdue == 4  # three escalated on timeout, one open past its deadline
    assert f.open_red == 1
    assert (f.opened, f.open_now) == (12, 2)
    assert f.satisfaction == 4.0
    leak = next(r for r in f.by_category if r["category"] == "leak")
    assert (leak["opened"], leak["resolved"], leak["building_rate"]) == (3, 2, 1.0)


def test_figures_window(world, fixture_cases):
    """Resolved in [since, until]: only the cases settled in the last 12 days."""
    with time_machine.travel(T0, tick=False):
        since = (T0 - timedelta(days=12)).date()
        f = selectors.figures(type(world.a).objects.filter(pk=world.a.pk), since=since)
    # settled 9, 10, 11, 12, 13 ... 18 days before T0: four fall in the window
    assert f.resolved == 4
    assert f.building_rate == 1.0


def test_stats_api_contract(world, api, fixture_cases):
    with time_machine.travel(T0, tick=False):
        body = api(world.manager_a).get(f"/api/v1/disputes/stats?compound={world.a.pk}").json()
    for key, value in {
        "resolved": 10,
        "building_rate": 0.6,
        "compound_rate": 0.9,
        "median_days": 5.5,
        "overdue": 4,
        "open_red": 1,
    }.items():
        assert body[key] == value, key
    assert (
        api(world.resident_a).get(f"/api/v1/disputes/stats?compound={world.a.pk}").status_code
        == 403
    )
    assert (
        api(world.outsider_b).get(f"/api/v1/disputes/stats?compound={world.a.pk}").status_code
        == 404
    )
    assert (
        api(world.leader_a).get(f"/api/v1/disputes/stats?compound={world.a.pk}").status_code == 200
    )
    bad = api(world.manager_a).get("/api/v1/disputes/stats?since=2025-03-02&until=2025-03-01")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "since"
    # without ?compound the regulator's figures cover the whole city: A and B
    with time_machine.travel(T0, tick=False):
        region = api(world.regulator).get("/api/v1/disputes/stats").json()
    assert (region["resolved"], region["open_red"]) == (13, 1)
    assert api(world.resident_a).get("/api/v1/disputes/stats").status_code == 403


def test_no_resolved_cases_gives_no_rate(world):
    f = selectors.figures(type(world.a).objects.filter(pk=world.a.pk))
    assert (f.resolved, f.building_rate, f.compound_rate, f.median_days) == (0, None, None, None)
    since = date(2020, 1, 1)
    assert selectors.resolution_rates(type(world.a).objects.all(), since=since) == (None, None)


def test_the_workbench_rates_are_the_figures_rates(world, fixture_cases):
    compounds = type(world.a).objects.filter(pk=world.a.pk)
    with time_machine.travel(T0, tick=False):
        for since in (T0.date() - timedelta(days=60), T0.date() - timedelta(days=12)):
            f = selectors.figures(compounds, since=since)
            assert selectors.resolution_rates(compounds, since=since) == (
                f.building_rate,
                f.compound_rate,
            )
    assert selectors.resolution_rates(compounds, since=T0.date() - timedelta(days=60)) == (
        0.6,
        0.9,
    )


def test_heat_table_and_sweeps(world, fixture_cases):
    with time_machine.travel(T0, tick=False):
        heat = selectors.heat_table(world.a)
        row = next(r for r in heat["rows"] if r["building_id"] == world.home.building_id)
        cats = [c.value for c in heat["categories"]]
        assert row["cells"][cats.index("noise")]["n"] == 4
        assert row["cells"][cats.index("noise")]["heat"] == 4  # the hottest cell
        assert row["total"] == 12 and row["open"] == 2
        for b in world.a.buildings.all():
            Sweep.objects.create(
                compound=world.a,
                building=b,
                period_start=date(2025, 3, 1),
                period_end=date(2025, 3, 31),
                done_at=T0 if b == world.home.building else None,
            )
        done = selectors.sweep_completion(type(world.a).objects.filter(pk=world.a.pk))
    assert done == {"planned": 2, "done": 1, "rate": 0.5}


def test_ranking_agrees_with_figures_in_constant_queries(
    world, fixture_cases, django_assert_num_queries
):
    """The region view's table of compounds: each row is what ``figures()`` says
    of that compound alone, and the table costs the same few queries whatever
    the number of compounds (it asked ``figures()`` once per compound: N+1)."""
    from wanjia.core.models import Compound
    from wanjia.disputes.selectors import compound_ranking as _ranking
    from wanjia.estates.testing import make_compound

    for n in range(3):
        make_compound(f"空小区{n}", community=world.a.community)
    both = Compound.objects.all()
    with time_machine.travel(T0, tick=False):
        since = (T0 - timedelta(days=90)).date()
        with django_assert_num_queries(5):
            rows = _ranking(both, since)
        for row in rows:
            alone = selectors.figures(both.filter(pk=row["compound"].pk), since=since)
            for key in ("resolved", "building_rate", "compound_rate", "median_days"):
                assert getattr(row["f"], key) == getattr(alone, key), key
            assert (row["f"].overdue, row["f"].open_red) == (alone.overdue, alone.open_red)
    assert [r["compound"].pk for r in rows][:2] == [world.a.pk, world.b.pk]


@pytest.mark.parametrize("key", ["disputes.opened", "disputes.compound_rate"])
def test_regulator_figures_answer_every_row_in_one_query(
    world, fixture_cases, key, django_assert_num_queries
):
    """The regulator's table asked each figure once per row (district, street or
    compound): compute_many answers all rows in one query, each row what
    compute says of that group (a group's rate is over all its cases)."""
    from wanjia.core import figures

    figure = figures.figure(key)
    groups = [[world.a.pk], [world.b.pk], [world.a.pk, world.b.pk], [world.a.pk, 999999]]
    with time_machine.travel(T0, tick=False):
        start, end = (T0 - timedelta(days=60)).date(), T0.date()
        with django_assert_num_queries(1):
            many = figure.compute_many(groups, start, end)
        assert many == [figure.compute(ids, start, end) for ids in groups]
    assert many[0] != many[1]
