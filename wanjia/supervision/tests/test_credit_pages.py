"""The credit pages and API per role: the regulator's scores, rankings, lists,
a company's score with its formula and evidence links, settings, awards, the
objections queue; the company admin's own score and objections; Excel and
print; bad input answers a field error."""

from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from wanjia.core.models import Company
from wanjia.supervision.credit import services
from wanjia.supervision.credit.models import Award, CreditScore, Objection

from . import credit_helpers
from .credit_helpers import EVIDENCE, bad

rules_under_test = credit_helpers.rules_under_test  # the fixture

NOW = timezone.make_aware(timezone.datetime(2026, 3, 20, 10, 0))
DAY = date(2026, 3, 10)


@pytest.fixture
def scored(world, request):
    request.getfixturevalue("rules_under_test")
    with time_machine.travel(NOW, tick=False):
        services.award_record(
            actor=world.regulator,
            company=world.a.company,
            title="文明物业",
            issuer="市住建局",
            awarded_on=DAY,
            points=12,
        )
        EVIDENCE.append(bad(world.b.company, 25, DAY, 1, compound=world.b))
        EVIDENCE.append(bad(world.a.company, 2, DAY, 2, compound=world.a))
        services.scores_compute("2026-02")
        services.scores_compute("2026-03")
        yield world


def test_api_companies_for_the_regulator(scored, api):
    w = scored
    body = api(w.regulator).get("/api/v1/supervision/companies?period=2026-03").json()
    assert body["count"] == 2
    assert [(r["name"], r["score"], r["grade"], r["rank"]) for r in body["items"]] == [
        (w.a.company.name, 90.0, "AAA", 1),
        (w.b.company.name, 55.0, "C", 2),
    ]
    assert set(body["items"][0]) == {"id", "name", "score", "grade", "rank"}


def test_api_company_admin_sees_only_its_row(scored, api):
    w = scored
    client = api(w.company_admin_a)
    body = client.get("/api/v1/supervision/companies?period=2026-03").json()
    assert [r["id"] for r in body["items"]] == [w.a.company.pk] and body["count"] == 1
    assert (
        client.get(
            f"/api/v1/supervision/companies/{w.b.company.pk}/score?period=2026-03"
        ).status_code
        == 404
    )
    assert api(w.manager_a).get("/api/v1/supervision/companies").status_code == 403


def test_api_score_shape_adds_up(scored, api):
    w = scored
    body = (
        api(w.regulator)
        .get(f"/api/v1/supervision/companies/{w.a.company.pk}/score?period=2026-03")
        .json()
    )
    assert {"score", "grade", "base", "good", "bad", "items"} <= set(body)
    assert body["base"] + body["good"] - body["bad"] == body["score"] == 90
    good = sum(i["points"] for i in body["items"] if i["kind"] == "good")
    badsum = sum(i["points"] for i in body["items"] if i["kind"] == "bad")
    assert (good, badsum) == (body["good"], body["bad"]) == (12, 2)
    award = next(i for i in body["items"] if i["rule"] == "supervision.award")
    assert award["evidence"]["url"].startswith("/credit/awards/")
    assert {"rule", "points", "evidence"} <= set(award)


@pytest.mark.parametrize("period", ["2026-13", "x", "2026-3", "2026-03-01"])
def test_api_bad_period_is_a_field_error(scored, api, period):
    w = scored
    for url in (
        f"/api/v1/supervision/companies?period={period}",
        f"/api/v1/supervision/companies/{w.a.company.pk}/score?period={period}",
    ):
        r = api(w.regulator).get(url)
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["period"]


def test_api_missing_period_is_404(scored, api):
    w = scored
    r = api(w.regulator).get(f"/api/v1/supervision/companies/{w.a.company.pk}/score?period=2020-01")
    assert r.status_code == 404


def test_ranking_page_and_lists(scored, login):
    w = scored
    client = login(w.regulator)
    page = client.get("/gov/credit/?period=2026-03").content.decode()
    assert w.a.company.name in page and "top-five" in page
    red = client.get("/gov/credit/?period=2026-03&list=red").content.decode()
    black = client.get("/gov/credit/?period=2026-03&list=black").content.decode()
    assert w.a.company.name not in red  # AAA but a deduction is open
    assert w.b.company.name in black and w.a.company.name not in black
    bad_period = client.get("/gov/credit/?period=2026-99")
    assert bad_period.status_code == 422 and "YYYY-MM" in bad_period.content.decode()
    assert client.get("/gov/credit/?region=999999").status_code == 404


def test_company_page_shows_formula_and_evidence(scored, login):
    w = scored
    page = login(w.regulator).get(f"/gov/credit/companies/{w.a.company.pk}/?period=2026-03")
    text = page.content.decode()
    assert "80（基础分）+ 12（加分，上限 40）− 2（扣分）= 90" in text
    award = Award.objects.get()
    assert f'href="/credit/awards/{award.pk}/"' in text
    assert 'href="/evidence/2/"' in text
    assert login(w.regulator).get(f"/credit/awards/{award.pk}/").status_code == 200


def test_company_admin_pages(scored, login):
    w = scored
    client = login(w.company_admin_a)
    mine = client.get("/console/credit/?period=2026-03")
    assert mine.status_code == 200 and "提出异议或申请修复" in mine.content.decode()
    assert client.get(f"/gov/credit/companies/{w.b.company.pk}/").status_code == 404
    assert client.get("/gov/credit/").status_code == 403
    assert client.get("/gov/credit/settings/").status_code == 403
    item = CreditScore.objects.get(company=w.a.company, period="2026-03").items.get(kind="bad")
    r = client.post(f"/credit/items/{item.pk}/object/", {"kind": "contest", "text": "短"})
    assert r.status_code == 422 and not Objection.objects.exists()
    r = client.post(
        f"/credit/items/{item.pk}/object/", {"kind": "contest", "text": "该记录有误，附证明"}
    )
    o = Objection.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/credit/objections/{o.pk}/"
    assert client.get(r["Location"]).status_code == 200
    assert (
        client.post(
            f"/credit/objections/{o.pk}/", {"decision": "uphold", "reason": "自己"}
        ).status_code
        == 403
    )
    other = CreditScore.objects.get(company=w.b.company, period="2026-03").items.get()
    assert (
        client.post(
            f"/credit/items/{other.pk}/object/", {"kind": "contest", "text": "不是我们的"}
        ).status_code
        == 404
    )


def test_regulator_decides_on_the_page(scored, login):
    w = scored
    item = CreditScore.objects.get(company=w.a.company, period="2026-03").items.get(kind="bad")
    o = services.objection_lodge(
        actor=w.company_admin_a, item=item, kind="contest", text="该记录有误"
    )
    client = login(w.regulator)
    assert (
        client.post(f"/credit/objections/{o.pk}/", {"decision": "uphold", "reason": ""}).status_code
        == 422
    )
    r = client.post(f"/credit/objections/{o.pk}/", {"decision": "uphold", "reason": "核实有误"})
    assert r.status_code == 302
    assert CreditScore.objects.get(company=w.a.company, period="2026-03").score == 92


def test_settings_and_awards_pages(scored, login):
    w = scored
    client = login(w.regulator)
    assert client.get("/gov/credit/settings/").status_code == 200
    r = client.post("/gov/credit/settings/", {"base": "abc"})
    assert r.status_code == 422 and "请填写 0 到 200 之间的整数" in r.content.decode()
    assert client.get("/gov/credit/awards/").status_code == 200
    before = Award.objects.count()
    for body in (
        {"company": w.a.company.pk, "title": "", "issuer": "局", "awarded_on": "2026-03-01"},
        {"company": "x", "title": "奖", "issuer": "局", "awarded_on": "2026-03-01"},
        {"company": w.a.company.pk, "title": "奖", "issuer": "局", "awarded_on": "2026-02-31"},
        {"company": w.a.company.pk, "title": "奖", "issuer": "局", "awarded_on": "2999-01-01"},
    ):
        assert client.post("/gov/credit/awards/", body).status_code == 422
    assert Award.objects.count() == before
    r = client.post(
        "/gov/credit/awards/",
        {
            "company": w.a.company.pk,
            "title": "红旗物业",
            "issuer": "市住建局",
            "awarded_on": "2026-03-02",
        },
    )
    assert r.status_code == 302 and Award.objects.count() == before + 1


def test_exports_and_print(scored, login):
    w = scored
    client = login(w.regulator)
    for kind in ("ranking", "red", "black"):
        r = client.get(f"/credit/export/{kind}.xlsx?period=2026-03")
        assert r.status_code == 200
        book = load_workbook(BytesIO(r.content))
        rows = list(book.active.values)
        if kind == "ranking":
            assert rows[2][1] == w.a.company.name and rows[2][2] == 90
        if kind == "black":
            assert rows[2][1] == w.b.company.name
        assert client.get(f"/credit/print/{kind}/?period=2026-03").status_code == 200
    r = client.get(f"/credit/export/items.xlsx?period=2026-03&company={w.a.company.pk}")
    rows = list(load_workbook(BytesIO(r.content)).active.values)
    assert len(rows) == 4  # title, head, award, deduction
    printed = client.get(f"/credit/print/items/?period=2026-03&company={w.a.company.pk}")
    assert "= 90" in printed.content.decode()
    admin = login(w.company_admin_a)
    assert admin.get("/credit/export/ranking.xlsx").status_code == 403
    assert admin.get(f"/credit/export/items.xlsx?company={w.b.company.pk}").status_code == 404
    assert (
        admin.get(f"/credit/export/items.xlsx?company={w.a.company.pk}&period=2026-03").status_code
        == 200
    )
    assert client.get("/credit/export/items.xlsx?period=bad&company=1").status_code == 422
    assert client.get("/credit/export/nothing.xlsx").status_code == 404


def test_other_roles_are_refused(scored, login):
    w = scored
    for user in (w.manager_a, w.resident_a, w.staff_a):
        client = login(user)
        for url in (
            "/gov/credit/",
            "/console/credit/",
            "/credit/objections/",
            f"/gov/credit/companies/{w.a.company.pk}/",
        ):
            assert client.get(url).status_code == 403, (user, url)


def test_movement_and_area_filter(scored, login):
    w = scored
    from wanjia.supervision.credit import selectors

    rows = selectors.ranking(w.regulator, "2026-03")
    assert [r["movement"] for r in rows] == [0, -1]  # February: both 80, tied first
    district = w.b.community.parent.parent
    rows = selectors.ranking(w.regulator, "2026-03", region=district)
    assert [r["company"] for r in rows] == [Company.objects.get(pk=w.b.company.pk)]


def test_the_ranking_is_shown_a_page_at_a_time(scored, login, monkeypatch):
    from wanjia.supervision.credit import views

    monkeypatch.setattr(views, "RANKING_PER_PAGE", 1)
    client = login(scored.regulator)
    first = client.get("/gov/credit/?period=2026-03").content.decode()
    second = client.get("/gov/credit/?period=2026-03&page=2").content.decode()
    assert first.count('data-testid="credit-row"') == 1 == second.count('data-testid="credit-row"')
    assert 'data-total="2"' in first and "period=2026-03&amp;page=2" in first
    # one company on each page, best first
    a, b = scored.a.company.name, scored.b.company.name
    assert (a in first) != (b in first) and (a in second) != (b in second)
    assert (a in first) == (b in second)
