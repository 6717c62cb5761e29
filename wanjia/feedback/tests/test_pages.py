import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from wanjia.core.nav import nav_links_for
from wanjia.core.today import cards_for
from wanjia.feedback import services
from wanjia.feedback.models import Loop, Rating, Stage, SurveyMarker, SurveyTally

from .conftest import rating_in, settled_case

pytestmark = pytest.mark.django_db


def test_resident_rates_on_the_phone_and_the_loop_runs(world, login, case_a):
    phone = login(world.resident_a)
    home = phone.get("/h5/feedback/")
    assert home.status_code == 200 and f"/h5/feedback/rate/dispute/{case_a.pk}/" in home.text
    assert any(c.title == "待评价" for c in cards_for(world.resident_a))
    bad = phone.post(f"/h5/feedback/rate/dispute/{case_a.pk}/", {"level": "7"})
    assert bad.status_code == 422 and "field-error" in bad.text
    r = phone.post(f"/h5/feedback/rate/dispute/{case_a.pk}/", {"level": "1", "comment": "调解不公"})
    assert r.status_code == 302
    rating = Rating.objects.get()
    again = phone.post(f"/h5/feedback/rate/dispute/{case_a.pk}/", {"level": "5"})
    assert again.status_code == 409
    # the staff's queue and card
    staff = login(world.staff_a)
    page = staff.get(f"/console/feedback/c/{world.a.pk}/")
    assert (
        page.status_code == 200
        and "调解不公" in page.text
        and 'data-testid="loop-row"' in page.text
    )
    assert any(c.title == "差评整改" for c in cards_for(world.staff_a))
    detail = staff.get(f"/console/feedback/ratings/{rating.pk}/")
    assert "记录回访" in detail.text and "提交申诉" not in detail.text  # staff may not appeal
    assert (
        staff.post(f"/console/feedback/ratings/{rating.pk}/fix/", {"note": "x"}).status_code == 409
    )
    assert (
        staff.post(f"/console/feedback/ratings/{rating.pk}/call/", {"note": ""}).status_code == 422
    )
    assert (
        staff.post(f"/console/feedback/ratings/{rating.pk}/call/", {"note": "已致电"}).status_code
        == 302
    )
    assert (
        staff.post(f"/console/feedback/ratings/{rating.pk}/fix/", {"note": "已整改"}).status_code
        == 302
    )
    assert "整改后复评" in phone.get("/h5/feedback/").text
    assert (
        phone.post(f"/console/feedback/ratings/{rating.pk}/call/", {"note": "x"}).status_code == 403
    )
    assert (
        phone.post(f"/h5/feedback/ratings/{rating.pk}/rerate/", {"level": "4"}).status_code == 302
    )
    assert Loop.objects.get().stage == Stage.CLOSED
    events = staff.get(f"/console/feedback/ratings/{rating.pk}/").text
    for step in ("差评，发起整改", "回访", "整改完成", "居民复评"):
        assert step in events


def test_regulator_decides_an_appeal(world, login):
    rating = rating_in(world.a, world.home, level=1)
    mgr = login(world.manager_a)
    assert (
        mgr.post(f"/console/feedback/ratings/{rating.pk}/appeal/", {"reason": "不属实"}).status_code
        == 302
    )
    gov = login(world.regulator)
    assert "不属实" in gov.get("/console/feedback/appeals/").text
    assert any(c.title == "评价申诉待裁定" for c in cards_for(world.regulator))
    assert (
        gov.post(f"/console/feedback/ratings/{rating.pk}/decide/", {"note": "x"}).status_code == 422
    )
    r = gov.post(
        f"/console/feedback/ratings/{rating.pk}/decide/", {"decision": "upheld", "note": "核实"}
    )
    assert r.status_code == 302 and Rating.objects.get(pk=rating.pk).excluded


def test_index_page_shows_the_formula_and_exports(world, login):
    rating_in(world.a, world.home, level=5)
    rating_in(world.b, world.b_home, level=1)
    gov = login(world.regulator)
    page = gov.get("/console/feedback/index/")
    assert page.status_code == 200 and "÷" in page.text
    assert "幸福里" in page.text and "和平苑" in page.text
    x = gov.get("/console/feedback/index/export.xlsx")
    sheet = load_workbook(io.BytesIO(x.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "幸福里" in cells and 100.0 in cells and 0.0 in cells
    mine = login(world.company_admin_a).get("/console/feedback/index/").text
    assert "幸福里" in mine and "和平苑" not in mine


def test_menus_follow_the_roles(world):
    urls = lambda u: {link["url_name"] for link in nav_links_for(u)}  # noqa: E731
    assert {"feedback_home", "feedback_index"} <= urls(world.manager_a)
    assert "feedback_appeals" in urls(world.regulator)
    assert "feedback_appeals" not in urls(world.manager_a)
    assert not {"feedback_home", "feedback_appeals"} & urls(world.volunteer_a)


def test_company_cannot_find_who_answered_a_survey(world, login, api):
    """Try every way the company has: pages, filters, exports, the API, the
    audit log; then the tables themselves hold no link."""
    today = timezone.localdate()
    survey = services.survey_create(
        actor=world.manager_a,
        compound=world.a,
        title="物业服务满意度",
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=3),
        target_rate=20,
        questions=["保洁", "安保"],
    )
    q1, q2 = survey.questions.all()
    company = [world.manager_a, world.company_admin_a]
    urls = [
        f"/console/feedback/c/{world.a.pk}/surveys/",
        f"/console/feedback/surveys/{survey.pk}/",
        f"/console/feedback/c/{world.a.pk}/",
        f"/console/feedback/c/{world.a.pk}/?stage=open",
        f"/console/feedback/c/{world.a.pk}/?level=1",
        f"/console/feedback/c/{world.a.pk}/?kind=dispute",
        "/console/feedback/index/",
        "/console/audit/",
        "/console/audit/?action=feedback",
        "/inbox/",
        "/console/find/?q=%E5%BC%A0%E4%BC%9F",
        f"/console/feedback/c/{world.a.pk}/?stage=appeal",
    ]
    apis = [
        f"/api/v1/satisfaction?compound={world.a.pk}",
        "/api/v1/audit?action=feedback",
        f"/api/v1/audit?actor={world.resident_a.pk}",
    ]

    def everything():
        seen = []
        for user in company:
            page = login(user)
            for url in urls:
                r = page.get(url)
                seen.append((user.username, url, r.status_code, r.content.decode()))
            x = page.get(f"/console/feedback/surveys/{survey.pk}/export.xlsx")
            sheet = load_workbook(io.BytesIO(x.content)).active
            cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
            seen.append((user.username, "export", x.status_code, cells))
            client = api(user)
            for url in apis:
                r = client.get(url)
                seen.append((user.username, url, r.status_code, r.content.decode()))
        return seen

    before = everything()
    phone = login(world.resident_a)
    r = phone.post(f"/h5/feedback/surveys/{survey.pk}/", {f"q{q1.pk}": "1", f"q{q2.pk}": "2"})
    assert r.status_code == 302
    after = everything()
    who = ("张伟", world.resident_a.username, world.home.room, "13812345678")
    for (user, url, status, text), (_u, _url, status0, text0) in zip(after, before, strict=True):
        assert status == status0, (user, url)
        # a page's CSRF token is random text: "101" turns up in one now and then
        text, text0 = (re.sub(r"[A-Za-z0-9]{32,}", "", t) for t in (text, text0))
        for trace in who:
            assert trace not in text or trace in text0, (user, url, trace)
        # nothing tells which level was chosen while the survey runs
        assert "非常不满意 1" not in text
    # the answers exist only as counts; the marker holds no time and no answer
    assert {f.name for f in SurveyTally._meta.get_fields()} == {"id", "question", "level", "count"}
    assert {f.name for f in SurveyMarker._meta.get_fields()} == {"id", "survey", "household"}
    assert SurveyTally.objects.filter(question=q1, level=1, count=1).exists()
    # the survey page says the resident has answered; a second answer is refused
    assert 'data-testid="survey-answered"' in phone.get(f"/h5/feedback/surveys/{survey.pk}/").text
    again = phone.post(f"/h5/feedback/surveys/{survey.pk}/", {f"q{q1.pk}": "5", f"q{q2.pk}": "5"})
    assert again.status_code == 409


def test_survey_create_page(world, login):
    mgr = login(world.manager_a)
    bad = mgr.post(f"/console/feedback/c/{world.a.pk}/surveys/", {"title": ""})
    assert bad.status_code == 422 and "field-error" in bad.text
    today = timezone.localdate()
    r = mgr.post(
        f"/console/feedback/c/{world.a.pk}/surveys/",
        {
            "title": "二季度",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=14)).isoformat(),
            "target_rate": "25",
            "questions": "保洁\n安保\n维修",
        },
    )
    assert r.status_code == 302
    assert "二季度" in login(world.resident_a).get("/h5/feedback/").text
    assert any(c.title == "满意度调查" for c in cards_for(world.resident_a))


def test_closed_window_and_other_households_on_the_phone(world, login):
    phone = login(world.resident_a)
    old = settled_case(world.a, world.home, resolved_at=timezone.now() - timedelta(days=9))
    assert f"/rate/dispute/{old.pk}/" not in phone.get("/h5/feedback/").text
    assert phone.post(f"/h5/feedback/rate/dispute/{old.pk}/", {"level": "5"}).status_code == 409
    theirs = settled_case(world.a, world.other_home)
    assert phone.get(f"/h5/feedback/rate/dispute/{theirs.pk}/").status_code == 404
    assert phone.get("/h5/feedback/rate/nosuch/1/").status_code == 404


def test_the_services_own_page_offers_the_rating_and_then_shows_it(world, login, case_a):
    """A settled dispute's page (the resident's own) offers "rate this" while
    the window is open, shows the rating once given, and offers nothing to a
    case not settled or past the window."""
    phone = login(world.resident_a)
    page = phone.get(f"/h5/disputes/{case_a.pk}/").text
    assert 'data-testid="rate-link"' in page and f"/h5/feedback/rate/dispute/{case_a.pk}/" in page
    phone.post(f"/h5/feedback/rate/dispute/{case_a.pk}/", {"level": "5", "comment": "很及时"})
    page = phone.get(f"/h5/disputes/{case_a.pk}/").text
    assert 'data-testid="rate-link"' not in page and "非常满意" in page and "很及时" in page

    from wanjia.disputes.models import Status

    open_case = settled_case(world.a, world.home, status=Status.PENDING)
    old = settled_case(world.a, world.home, resolved_at=timezone.now() - timedelta(days=8))
    for case in (open_case, old):
        assert 'data-testid="rate-panel"' not in phone.get(f"/h5/disputes/{case.pk}/").text
