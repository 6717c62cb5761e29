"""Roster pages: the grid, the build form and its job part, the hand edit with
its flags, the A4 print view, the Excel export, "my next shifts" on the phone."""

from datetime import datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from wanjia.core.models import Job
from wanjia.patrol.models import RosterShift
from wanjia.patrol.services import rosters

from .roster_kit import START, build_team

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 3, 3, 21, 30))  # Tuesday evening, in the horizon


@pytest.fixture
def built(world):
    world.team, world.guards = build_team(world, world.a, world.staff_a, world.volunteer_a)
    with time_machine.travel(NOW, tick=False):
        rosters.roster_build(compound=world.a, start=START, days=14)
    return world


def _page(compound, suffix=""):
    return f"/console/patrol/c/{compound.pk}/roster/{suffix}"


@time_machine.travel(NOW, tick=False)
def test_grid_shows_guards_by_days_with_nights_and_hours(built, login):
    page = login(built.manager_a).get(_page(built.a) + f"?start={START}&days=14")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="roster-row"') == 7
    assert "保安a0" in html and "孙志愿" in html and "夜" in html
    nights = RosterShift.objects.filter(compound=built.a, user=built.staff_a, shift="night")
    assert f'data-testid="nights">{nights.count()}<' in html
    assert 'data-testid="build-form"' in html and 'data-testid="edit-form"' in html
    assert 'data-testid="roster-problems"' not in html  # a built roster breaks nothing
    # the secretary sees the grid, without the forms
    html = login(built.secretary_a).get(_page(built.a)).content.decode()
    assert 'data-testid="roster-grid"' in html and 'data-testid="build-form"' not in html
    # a nonsense range falls back to the default, never a 500
    assert login(built.manager_a).get(_page(built.a) + "?start=x&days=y").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_build_form_runs_the_job_and_shows_the_result(
    built, login, django_capture_on_commit_callbacks
):
    client = login(built.manager_a)
    start = START + timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(_page(built.a, "build/"), {"start": start.isoformat(), "days": "7"})
    assert resp.status_code == 302
    job = Job.objects.get(kind=rosters.JOB_KIND)
    assert resp["Location"].endswith(f"job={job.pk}")
    page = client.get(resp["Location"]).content.decode()
    assert f"/console/patrol/roster-jobs/{job.pk}/" in page
    part = client.get(f"/console/patrol/roster-jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert part.status_code == 200 and 'data-testid="roster-built"' in part.content.decode()
    assert RosterShift.objects.filter(compound=built.a, date__gte=start).count() == 28
    # the generic job page shows it too, with a way back
    assert client.get(f"/jobs/{job.pk}/").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_build_form_errors_are_field_errors(built, login):
    client = login(built.manager_a)
    resp = client.post(_page(built.a, "build/"), {"start": "2026-13-01", "days": "99"})
    assert resp.status_code == 422
    html = resp.content.decode()
    assert "请填写开始日期" in html
    resp = client.post(_page(built.a, "build/"), {"start": START.isoformat(), "days": "99"})
    assert resp.status_code == 422 and "天数应在 1 到 56 之间" in resp.content.decode()
    assert not Job.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_hand_edit_is_saved_and_flagged(built, login):
    client = login(built.manager_a)
    night = RosterShift.objects.filter(compound=built.a, date=START, shift="night").first()
    resp = client.post(
        _page(built.a, "cell/") + f"?start={START}&days=14",
        {
            "user": night.user_id,
            "date": (START + timedelta(days=1)).isoformat(),
            "shift": "day",
            "action": "assign",
        },
        follow=True,
    )
    html = resp.content.decode()
    assert resp.status_code == 200 and "违反了排班规则" in html
    assert "休息不足 8 小时" in html and "多排了人" in html
    assert 'data-testid="roster-problems"' in html  # and it stays listed on the grid
    assert RosterShift.objects.filter(
        compound=built.a, user_id=night.user_id, date=START + timedelta(days=1), shift="day"
    ).exists()
    bad = client.post(
        _page(built.a, "cell/"),
        {"user": built.resident_a.pk, "date": "x", "shift": "day", "action": "assign"},
    )
    assert bad.status_code == 422 and "请选择本小区巡逻队的队员" in bad.content.decode()


@time_machine.travel(NOW, tick=False)
def test_print_view_is_a4_week_by_week(built, login):
    page = login(built.secretary_a).get(_page(built.a, "print/") + f"?start={START}&days=14")
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="print-week"') == 2
    assert "patrol-roster.css" in html and "夜班" in html


@time_machine.travel(NOW, tick=False)
def test_excel_export_opens_with_openpyxl(built, login):
    resp = login(built.manager_a).get(
        f"/console/patrol/c/{built.a.pk}/roster.xlsx?start={START}&days=14"
    )
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(BytesIO(resp.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "身份", "3/2")
    names = {r[0] for r in rows[1:8]}
    assert "保安a0" in names and "孙志愿" in names
    counted = sum(1 for r in rows[1:8] for v in r[2:16] if v)
    assert counted == RosterShift.objects.filter(compound=built.a).count() == 56


@time_machine.travel(NOW, tick=False)
def test_phone_shows_my_next_shifts(built, login):
    mine = RosterShift.objects.filter(user=built.staff_a, ends_at__gt=NOW).order_by("starts_at")
    page = login(built.staff_a).get("/h5/patrol/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="my-shifts"' in html
    first = timezone.localtime(mine.first().starts_at)
    assert first.strftime("%m-%d") in html


@time_machine.travel(NOW, tick=False)
def test_leave_is_registered_shown_and_removed(built, login):
    from wanjia.patrol.models import Leave

    client = login(built.manager_a)
    guard = built.guards[2]
    url = _page(built.a, "leave/") + f"?start={START}&days=14"
    bad = client.post(url, {"user": guard.pk, "start": "2026-03-05", "end": "2026-03-04"})
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.content.decode()
    bad = client.post(url, {"user": built.resident_a.pk, "start": "x", "end": ""})
    assert bad.status_code == 422 and not Leave.objects.exists()
    ok = client.post(url, {"user": guard.pk, "start": "2026-03-04", "end": "2026-03-05"})
    assert ok.status_code == 302
    leave = Leave.objects.get(user=guard)
    html = client.get(_page(built.a) + f"?start={START}&days=14").content.decode()
    assert 'data-testid="leave-list"' in html and "3/4–3/5" in html and "rs-away" in html
    # shifts already on those days are listed as problems until the roster is rebuilt
    if RosterShift.objects.filter(user=guard, date__in=["2026-03-04", "2026-03-05"]).exists():
        assert "请假，却排了" in html
    assert client.post(f"/console/patrol/leave/{leave.pk}/remove/").status_code == 302
    assert not Leave.objects.exists()


def test_weekly_wish_is_registered_shown_and_removed(built, login):
    from wanjia.patrol.models import ShiftWish

    client = login(built.manager_a)
    guard = built.guards[2]
    url = _page(built.a, "wish/") + f"?start={START}&days=14"
    # the form as it first shows (no day chosen) saves nothing
    bad = client.post(url, {"user": guard.pk, "weekday": "", "shift": "*", "wants": "0"})
    assert bad.status_code == 422 and "请选择星期几" in bad.content.decode()
    assert not ShiftWish.objects.exists()
    ok = client.post(url, {"user": guard.pk, "weekday": "5", "shift": "night", "wants": "0"})
    assert ok.status_code == 302 and ok["Location"].endswith("#wishes")
    wish = ShiftWish.objects.get(user=guard)
    html = client.get(_page(built.a) + f"?start={START}&days=14").content.decode()
    assert 'data-testid="wish-list"' in html and "星期五不上夜班" in html
    assert client.post(f"/console/patrol/wish/{wish.pk}/remove/").status_code == 302
    assert not ShiftWish.objects.exists()
