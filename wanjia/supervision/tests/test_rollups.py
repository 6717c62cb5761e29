"""Rollups: every registered figure per unit and month, rerun to the same rows,
a group's value computed over the group (never a mean of its compounds)."""

import io
from datetime import date

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from wanjia.core import figures
from wanjia.supervision.rollups import kpis, selectors
from wanjia.supervision.rollups.models import Level, Rollup
from wanjia.supervision.rollups.services import (
    bounds,
    parse_period,
    rollup_due,
    rollup_month,
    unit_groups,
)

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(timezone.datetime(2026, 12, 10, 9, 0))


def _count_figure(key="test.households"):
    """A figure whose value we know: the number of compounds in the group."""
    figures.register(
        "test", key, "test", note="n", compute=lambda ids, s, e: len(ids), kind=figures.COUNT
    )


@pytest.fixture
def counted(world):
    _count_figure()
    yield world
    figures._FIGURES.pop("test.households", None)


def test_a_rerun_rewrites_the_same_rows(counted):
    with time_machine.travel(NOW, tick=False):
        first = rollup_month("2026-12")
        rows = sorted(Rollup.objects.values_list("pk", "level", "unit_id", "code", "value"))
        again = rollup_month("2026-12")
    assert first.rows == again.rows == len(rows)
    assert sorted(Rollup.objects.values_list("pk", "level", "unit_id", "code", "value")) == rows


def test_each_level_is_computed_over_its_compounds(counted):
    w = counted
    with time_machine.travel(NOW, tick=False):
        rollup_month("2026-12")
    groups = unit_groups()
    city = w.a.community.parent.parent.parent_id
    value = Rollup.objects.get(
        period="2026-12", level=Level.CITY, unit_id=city, code="test.households"
    ).value
    assert value == len(groups[(Level.CITY, city)]) == 2  # the world: one city, two compounds
    company = Rollup.objects.get(
        period="2026-12", level=Level.COMPANY, unit_id=w.a.company_id, code="test.households"
    )
    assert company.value == 1
    assert (
        Rollup.objects.filter(period="2026-12", level=Level.COMPOUND)
        .values("unit_id")
        .distinct()
        .count()
        == 2
    )


def test_a_ratio_of_a_group_is_not_a_mean_of_its_compounds(world):
    w = world
    # 1 of 1 in A, 1 of 3 in B: the pair is 2 of 4 = 0.5, not the mean 0.667
    made = {w.a.pk: (1, 1), w.b.pk: (1, 3)}

    def ratio(ids, s, e):
        hit = sum(made[i][0] for i in ids)
        total = sum(made[i][1] for i in ids)
        return hit / total

    figures.register("test", "test.ratio", "r", note="n", compute=ratio, kind=figures.RATIO)
    try:
        assert figures.figure("test.ratio").compute([w.a.pk, w.b.pk], None, None) == 0.5
        with time_machine.travel(NOW, tick=False):
            rollup_month("2026-12")
        values = selectors.table("2026-12", Level.COMPOUND, [w.a.pk, w.b.pk])
        assert values[w.a.pk]["test.ratio"] == 1.0
        assert round(values[w.b.pk]["test.ratio"], 3) == 0.333
    finally:
        figures._FIGURES.pop("test.ratio", None)


def test_the_month_under_way_ends_today():
    assert bounds("2026-12", date(2026, 12, 10)) == (date(2026, 12, 1), date(2026, 12, 10))
    assert bounds("2026-11", date(2026, 12, 10)) == (date(2026, 11, 1), date(2026, 11, 30))


def test_the_daily_job_also_redoes_last_month_in_the_first_days(world):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 2, 3, 0)), tick=False):
        assert rollup_due() == ["2026-11", "2026-12"]
    with time_machine.travel(NOW, tick=False):
        assert rollup_due() == ["2026-12"]


@pytest.mark.parametrize(
    "raw", ["", "2026-13", "26-12", "2026-1", "abcd-ef", "2027-01", " 2026-12x"]
)
def test_a_bad_period_is_a_field_error(raw):
    from wanjia.core.errors import Invalid

    with time_machine.travel(NOW, tick=False), pytest.raises(Invalid) as exc:
        parse_period(raw)
    assert list(exc.value.errors) == ["period"]


def test_the_composite_index_is_stated_and_computed_from_the_kpis():
    assert kpis.index({"feedback.index": 80.0, "care.on_time": 0.9}) == 85.0
    assert kpis.index({"tickets.complaints_per_100": 2.0}) == 60.0
    assert kpis.index({}) is None


def test_the_api_answers_the_compound_kpis_with_definitions(world, api):
    with time_machine.travel(NOW, tick=False):
        rollup_month("2026-12")
        body = (
            api(world.manager_a)
            .get(f"/api/v1/supervision/compounds/{world.a.pk}/kpis?period=2026-12")
            .json()
        )
        bad = api(world.manager_a).get(
            f"/api/v1/supervision/compounds/{world.a.pk}/kpis?period=2026-13"
        )
    assert [k["code"] for k in body["kpis"]] == [k.code for k, _f in kpis.kpis()]
    assert all(k["definition"] for k in body["kpis"])
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "period"


def test_pages_read_rollups_and_export(world, login):
    w = world
    with time_machine.travel(NOW, tick=False):
        rollup_month("2026-12")
        client = login(w.regulator)
        page = client.get("/gov/supervision/?period=2026-12")
        ranking = client.get("/gov/supervision/ranking/?period=2026-12")
        sheet = client.get("/gov/supervision/?period=2026-12&format=xlsx")
        bad = client.get("/gov/supervision/?period=2099-99")
    assert page.status_code == 200 and "kpi-table" in page.content.decode()
    assert w.a.name in ranking.content.decode() or "ranking" in ranking.content.decode()
    assert sheet["Content-Type"].startswith("application/vnd.openxml")
    assert bad.status_code == 200 and "统计期" in bad.content.decode()


def test_the_companies_table_is_a_page_at_a_time_and_the_export_has_them_all(
    world, login, monkeypatch
):
    from wanjia.supervision.rollups import views

    monkeypatch.setattr(views, "COMPANIES_PER_PAGE", 1)
    names = sorted({world.a.company.name, world.b.company.name})
    assert len(names) == 2
    with time_machine.travel(NOW, tick=False):
        rollup_month("2026-12")
        client = login(world.regulator)
        first = client.get("/gov/supervision/?period=2026-12").content.decode()
        second = client.get("/gov/supervision/?period=2026-12&page=2").content.decode()
        past = client.get("/gov/supervision/?period=2026-12&page=3")
        sheet = client.get("/gov/supervision/?period=2026-12&format=xlsx&page=2")

    def companies(html):
        return html.split("<h2>物业企业</h2>")[1]

    assert names[0] in companies(first) and names[1] not in companies(first)
    assert names[1] in companies(second) and names[0] not in companies(second)
    assert 'data-total="2"' in first
    assert "period=2026-12&amp;page=2" in first  # the pager keeps the month
    assert past.status_code == 404
    cells = [
        str(row[0])
        for row in load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)
    ]
    assert all(any(n in c for c in cells) for n in names)  # every company, whatever the page
