"""Credit: base + good (capped) − bad, every point an item naming its record,
grades and lists from the city's settings, the authority's records, the API."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from wanjia.core import conduct
from wanjia.supervision.credit import services
from wanjia.supervision.credit.models import ConductRecord, CreditScore, RecordKind

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(timezone.datetime(2026, 12, 10, 9, 0))


def _rule(code, kind, points, *, serious=False, company=None):
    def collect(company_ids, start, end):
        return [
            conduct.Evidence(
                rule=code,
                ref=f"test:{code}:{n}",
                company_id=company,
                compound_id=None,
                points=p,
                label=f"{code} {n}",
                url=f"/evidence/{n}/",
                happened_on=date(2026, 12, 1),
            )
            for n, p in enumerate(points)
            if company in company_ids
        ]

    conduct.register("test", code, code, kind=kind, note="n", collect=collect, serious=serious)


@pytest.fixture
def rules(world):
    codes = []

    def add(code, kind, points, **kw):
        codes.append(code)
        _rule(code, kind, points, company=world.a.company_id, **kw)

    yield add
    for code in codes:
        conduct._RULES.pop(code, None)


def _score(world, period="2026-12") -> CreditScore:
    with time_machine.travel(NOW, tick=False):
        services.score_month(period)
    return CreditScore.objects.get(company=world.a.company, period=period)


def test_the_score_is_its_formula_and_the_items_add_up(world, rules, api):
    rules("test.good", conduct.GOOD, [5, 3])
    rules("test.bad", conduct.BAD, [2, 1.5])
    s = _score(world)
    assert (s.base, s.good, s.bad, s.score) == (80, 8, Decimal("3.5"), Decimal("84.5"))
    assert s.grade == "AA" and not s.red and not s.black  # a deduction: not red
    with time_machine.travel(NOW, tick=False):
        body = (
            api(world.company_admin_a)
            .get(f"/api/v1/supervision/companies/{world.a.company_id}/score?period=2026-12")
            .json()
        )
    assert body["base"] + body["good"] - body["bad"] == body["score"] == 84.5
    good = sum(i["points"] for i in body["items"] if i["kind"] == "good")
    bad = sum(i["points"] for i in body["items"] if i["kind"] == "bad")
    assert (good, bad) == (body["good"], body["bad"])
    assert all(i["evidence"]["url"] and i["evidence"]["ref"] for i in body["items"])


def test_good_conduct_is_capped_and_the_surplus_shows(world, rules):
    rules("test.good", conduct.GOOD, [30, 25])
    s = _score(world)
    assert (s.good, s.score, s.grade, s.red) == (40, 120, "AAA", True)
    items = list(s.items.all())
    assert sum(i.points for i in items if i.kind == "good") == s.good
    assert any(i.rule == services.CAP_RULE and i.points == -15 for i in items)


def test_grades_follow_the_city_settings(world, rules, settings):
    rules("test.bad", conduct.BAD, [15])
    assert _score(world).grade == "B"  # 65
    settings.SUPERVISION_CREDIT = {
        **settings.SUPERVISION_CREDIT,
        "grades": {"AAA": 95, "AA": 85, "A": 65, "B": 50},
    }
    assert _score(world).grade == "A"


def test_a_serious_violation_black_lists_whatever_the_score(world, rules):
    rules("test.good", conduct.GOOD, [20])
    rules("test.serious", conduct.BAD, [5], serious=True)
    s = _score(world)
    assert s.score == 95 and s.grade == "AAA" and s.black and not s.red


def test_grade_c_is_black_listed(world, rules):
    rules("test.bad", conduct.BAD, [25])
    s = _score(world)
    assert (s.score, s.grade, s.black) == (55, "C", True)


def test_a_rerun_gives_the_same_scores_and_ranks(world, rules):
    rules("test.good", conduct.GOOD, [4])
    first = _score(world)
    again = _score(world)
    assert (first.score, first.rank) == (again.score, again.rank)
    assert CreditScore.objects.filter(period="2026-12").count() == 2  # A's and B's company


def test_the_authoritys_records_count_until_withdrawn(world):
    w = world
    with time_machine.travel(NOW, tick=False):
        record = services.record_add(
            actor=w.regulator,
            company=w.a.company,
            kind=RecordKind.COMMENDATION,
            title="防汛表扬",
            points="6",
            happened_on=date(2026, 11, 20),
        )
    assert _score(w).good == 6
    item = CreditScore.objects.get(company=w.a.company, period="2026-12").items.get()
    assert item.url == f"/credit/records/{record.pk}/"
    services.record_withdraw(actor=w.regulator, record=record)
    assert _score(w).good == 0


@pytest.mark.parametrize(
    "field,form",
    [
        ("kind", {"kind": "bogus"}),
        ("title", {"title": "  "}),
        ("points", {"points": "99"}),
        ("points", {"points": "abc"}),
        ("points", {"points": "NaN"}),
        ("happened_on", {"happened_on": None}),
        ("happened_on", {"happened_on": date(2027, 1, 1)}),
    ],
)
def test_a_bad_record_is_a_field_error_and_writes_nothing(world, field, form):
    from wanjia.core.errors import Invalid

    data = {
        "kind": RecordKind.VIOLATION,
        "title": "违规",
        "points": "3",
        "happened_on": date(2026, 12, 1),
        **form,
    }
    with time_machine.travel(NOW, tick=False), pytest.raises(Invalid) as exc:
        services.record_add(actor=world.regulator, company=world.a.company, **data)
    assert field in exc.value.errors
    assert not ConductRecord.objects.exists()


def test_the_form_shows_field_errors_in_place(world, login):
    with time_machine.travel(NOW, tick=False):
        response = login(world.regulator).post(
            "/gov/credit/records/new/",
            {
                "company": world.a.company_id,
                "kind": "violation",
                "title": "",
                "points": "3",
                "happened_on": "x",
            },
        )
    assert response.status_code == 422
    body = response.content.decode()
    assert "请填写事由" in body and "请填写日期" in body
    assert not ConductRecord.objects.exists()


def test_a_company_admin_lists_only_its_own_company(world, api):
    with time_machine.travel(NOW, tick=False):
        services.score_month("2026-12")
        mine = api(world.company_admin_a).get("/api/v1/supervision/companies?period=2026-12").json()
        city = api(world.regulator).get("/api/v1/supervision/companies?period=2026-12").json()
    assert [r["id"] for r in mine["items"]] == [world.a.company_id] and mine["count"] == 1
    assert city["count"] == 2 and {r["rank"] for r in city["items"]} == {1}


def test_the_company_page_shows_formula_and_evidence_links(world, rules, login):
    rules("test.bad", conduct.BAD, [2])
    _score(world)
    with time_machine.travel(NOW, tick=False):
        page = login(world.company_admin_a).get(
            f"/credit/companies/{world.a.company_id}/?period=2026-12"
        )
    body = page.content.decode()
    assert page.status_code == 200 and "credit-formula" in body
    assert 'href="/evidence/0/"' in body
