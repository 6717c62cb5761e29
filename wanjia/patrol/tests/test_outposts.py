"""Outpost pages: add/edit/retire with field errors, shifts refused when they
end before they start or overlap for one person, the night timeline showing a
gap in red, and the monthly evidence report printing and exporting to Excel."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone
from openpyxl import load_workbook

from wanjia.core.audit import described_actions
from wanjia.core.models import AuditLog
from wanjia.patrol.models import Outpost, OutpostShift
from wanjia.patrol.services import outposts as services

from .test_evidence import AFTER, march  # noqa: F401  (the hand-built month)

pytestmark = pytest.mark.django_db
NOON = timezone.make_aware(datetime(2026, 3, 10, 12))


def test_outpost_form_field_errors_then_create_edit_retire(world, login):
    client = login(world.manager_a)
    url = f"/console/patrol/c/{world.a.pk}/outposts/"
    bad = client.post(url, {"name": "", "x": "abc", "staffed_from": "25:99", "staffed_to": ""})
    html = bad.content.decode()
    assert bad.status_code == 422 and 'data-testid="error-staffed_from"' in html
    assert "请填写数字" in html and not Outpost.objects.exists()
    bad = client.post(
        url, {"name": "北门岗", "x": "150", "staffed_from": "22:00", "staffed_to": "22:00"}
    )
    html = bad.content.decode()
    assert bad.status_code == 422 and "0 到 100" in html and "不能与开始时间相同" in html
    assert not Outpost.objects.exists()
    ok = client.post(
        url,
        {"name": "北门岗", "x": "40", "y": "90", "staffed_from": "22:00", "staffed_to": "06:00"},
    )
    assert ok.status_code == 302
    outpost = Outpost.objects.get(compound=world.a)
    assert (outpost.staffed_from, outpost.staffed_to, outpost.x) == (time(22), time(6), 40)
    page = client.get(url).content.decode()
    assert page.count('data-testid="outpost-row"') == 1 and "北门岗" in page
    edit = f"/console/patrol/outposts/{outpost.pk}/"
    assert client.post(edit, {"name": "北门岗", "staffed_from": "x"}).status_code == 422
    assert (
        client.post(
            edit, {"name": "北大门岗", "staffed_from": "21:00", "staffed_to": "05:00"}
        ).status_code
        == 302
    )
    outpost.refresh_from_db()
    assert (outpost.name, outpost.staffed_from) == ("北大门岗", time(21))
    assert client.post(f"{edit}retire/").status_code == 302
    outpost.refresh_from_db()
    assert not outpost.active
    assert client.post(edit, {"name": "再改"}).status_code == 410
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"patrol.outpost.created", "patrol.outpost.updated", "patrol.outpost.retired"} <= actions
    assert actions <= described_actions() | {a for a in actions if not a.startswith("patrol.")}


@time_machine.travel(NOON, tick=False)
def test_shift_form_refuses_bad_and_overlapping_times(world, login):
    north = services.outpost_create(
        actor=world.manager_a,
        compound=world.a,
        name="北门岗",
        staffed_from=time(22),
        staffed_to=time(6),
    )
    south = services.outpost_create(
        actor=world.manager_a,
        compound=world.a,
        name="南门岗",
        staffed_from=time(20),
        staffed_to=time(0),
    )
    client = login(world.manager_a)
    url = f"/console/patrol/outposts/{north.pk}/shifts/?date=2026-03-10"
    page = client.get(url).content.decode()
    assert 'value="2026-03-10T22:00"' in page and 'value="2026-03-11T06:00"' in page
    assert "赵保安" in page and "孙志愿" in page

    def post(outpost, user, start, end):
        return client.post(
            f"/console/patrol/outposts/{outpost.pk}/shifts/",
            {"user": str(user.pk) if user else "", "starts_at": start, "ends_at": end},
        )

    backwards = post(north, world.staff_a, "2026-03-10T22:00", "2026-03-10T21:00")
    assert (
        backwards.status_code == 422 and 'data-testid="error-ends_at"' in backwards.content.decode()
    )
    garbled = post(north, world.staff_a, "tonight", "2026-03-11T02:00")
    assert (
        garbled.status_code == 422 and 'data-testid="error-starts_at"' in garbled.content.decode()
    )
    resident = post(north, world.resident_a, "2026-03-10T22:00", "2026-03-11T02:00")
    assert resident.status_code == 422 and 'data-testid="error-user"' in resident.content.decode()
    assert not OutpostShift.objects.exists()
    ok = post(north, world.staff_a, "2026-03-10T22:00", "2026-03-11T02:00")
    assert ok.status_code == 302 and OutpostShift.objects.count() == 1
    assert client.get(url).content.decode().count('data-testid="shift-row"') == 1
    clash = post(south, world.staff_a, "2026-03-10T20:00", "2026-03-10T22:30")
    html = clash.content.decode()
    assert clash.status_code == 422 and 'data-testid="error-user"' in html and "重叠" in html
    assert OutpostShift.objects.count() == 1
    touching = post(south, world.staff_a, "2026-03-10T20:00", "2026-03-10T22:00")
    assert touching.status_code == 302 and OutpostShift.objects.count() == 2
    shift = OutpostShift.objects.get(outpost=south)
    assert client.post(f"/console/patrol/outpost-shifts/{shift.pk}/remove/").status_code == 302
    assert OutpostShift.objects.count() == 1


@time_machine.travel(AFTER, tick=False)
def test_timeline_shows_the_gap_in_red_with_its_times(march, login):  # noqa: F811
    client = login(march.manager_a)
    page = client.get(f"/console/patrol/c/{march.a.pk}/timeline/?date=2026-03-10")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="outpost-line"') == 2
    assert 'data-testid="gap"' in html and "缺岗 02:00–03:00" in html and "缺岗 23:00–00:00" in html
    assert html.count('data-testid="run-mark"') == 4
    assert 'name="viewport"' in html and "patrol-evidence.css" in html  # phone width
    bad = client.get(f"/console/patrol/c/{march.a.pk}/timeline/?date=2026-13-45")
    assert bad.status_code == 422 and 'data-testid="error-date"' in bad.content.decode()


@time_machine.travel(AFTER, tick=False)
def test_evidence_report_prints_and_exports(march, login):  # noqa: F811
    client = login(march.regulator)
    page = client.get(f"/console/patrol/c/{march.a.pk}/evidence/?month=2026-03")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="evidence"' in html
    assert "87.5%" in html and "70 分钟" in html and "每百点漏巡 12.5" in html
    assert 'class="page-head no-print"' in html and "统计期为本月各夜" in html
    css = (settings.BASE_DIR / "wanjia/static/wanjia/wanjia.css").read_text()
    assert "@page { size: A4" in css and ".topbar" in css  # the console's print rules
    xlsx = client.get(f"/console/patrol/c/{march.a.pk}/evidence.xlsx?month=2026-03")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    book = load_workbook(BytesIO(xlsx.content))
    assert book.sheetnames[0] == "概要" and "缺岗时段" in book.sheetnames
    summary = {row[0]: row[1] for row in book["概要"].iter_rows(values_only=True)}
    assert summary["漏点"] == 3 and summary["巡更完成率（%）"] == 87.5
    assert summary["缺岗次数"] == 62 and summary["响应时间中位数（分钟）"] == 70
    assert book["缺岗时段"].max_row == 63  # a header and the 62 gaps
    bad = client.get(f"/console/patrol/c/{march.a.pk}/evidence/?month=2026-3x")
    assert bad.status_code == 422 and 'data-testid="error-month"' in bad.content.decode()
    assert client.get(f"/console/patrol/c/{march.a.pk}/evidence.xlsx?month=nope").status_code == 422


@time_machine.travel(AFTER, tick=False)
def test_timeline_and_report_read_in_english(march, login):  # noqa: F811
    client = login(march.manager_a)
    client.cookies["django_language"] = "en"
    html = client.get(
        f"/console/patrol/c/{march.a.pk}/timeline/?date=2026-03-10", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Gap 02:00–03:00" in html and "covered 88%" in html and "2 gaps" in html
    html = client.get(
        f"/console/patrol/c/{march.a.pk}/evidence/?month=2026-03", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Missed per 100 checkpoints: 12.5." in html and "Outpost cover" in html


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_managers_booking_one_person_at_once_make_one_shift(world, monkeypatch):
    posts = [
        services.outpost_create(
            actor=world.manager_a,
            compound=world.a,
            name=f"岗{n}",
            staffed_from=time(22),
            staffed_to=time(6),
        )
        for n in range(8)
    ]
    start = timezone.make_aware(datetime(2026, 3, 10, 22))
    barrier = threading.Barrier(len(posts))
    check = services.clash_of

    def slow_check(*args):  # widen the window between the check and the insert
        found = check(*args)
        threading.Event().wait(0.2)
        return found

    monkeypatch.setattr(services, "clash_of", slow_check)

    def book(outpost):
        try:
            barrier.wait(timeout=30)
            services.shift_assign(
                actor=world.manager_a,
                outpost=outpost,
                user=world.staff_a,
                starts_at=start,
                ends_at=start + timedelta(hours=8),
            )
            return True
        except ValidationError:
            return False
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        booked = list(pool.map(book, posts))
    assert booked.count(True) == 1
    assert OutpostShift.objects.filter(user=world.staff_a).count() == 1
