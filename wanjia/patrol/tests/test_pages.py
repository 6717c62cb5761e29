"""The console and phone pages beyond what the tenancy kit checks: forms show
field errors (never a 500), the board polls, the QR sheet prints, the run
shows its flags, the phone pages work."""

from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from wanjia.patrol import services
from wanjia.patrol.models import Checkpoint, Incident, Route

pytestmark = pytest.mark.django_db
AT_2210 = timezone.make_aware(datetime(2026, 3, 10, 22, 10))


@time_machine.travel(AT_2210, tick=False)
def test_board_lists_tonights_runs_and_polls(patrol, login):
    client = login(patrol.manager_a)
    page = client.get(f"/console/patrol/c/{patrol.a.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'hx-trigger="every 10s"' in html
    assert html.count('data-testid="run-row"') == 4
    part = client.get(
        f"/console/patrol/c/{patrol.a.pk}/?part=board", headers={"HX-Request": "true"}
    )
    assert part.status_code == 200 and b"<html" not in part.content


def test_checkpoint_form_errors_are_field_errors(patrol, login):
    client = login(patrol.manager_a)
    url = f"/console/patrol/c/{patrol.a.pk}/checkpoints/"
    bad = client.post(url, {"name": "", "x": "abc", "y": "150", "radius_m": "2"})
    assert bad.status_code == 422
    bad = client.post(url, {"name": "西门", "x": "200", "y": "50"})
    assert bad.status_code == 422 and "0 到 100" in bad.content.decode()
    ok = client.post(url, {"name": "西门", "kind": "gate", "x": "90", "y": "50", "radius_m": "30"})
    assert ok.status_code == 302
    assert Checkpoint.objects.filter(compound=patrol.a, name="西门").exists()
    page = client.get(url)
    assert page.content.decode().count("<circle") == 4  # the dots on the plan


def test_route_form_orders_the_chosen_checkpoints(patrol, login):
    client = login(patrol.manager_a)
    a, b, c = patrol.cps
    resp = client.post(
        f"/console/patrol/c/{patrol.a.pk}/routes/",
        {"name": "反向", f"order_{c.pk}": "1", f"order_{a.pk}": "2", f"minutes_{a.pk}": "7"},
    )
    assert resp.status_code == 302
    route = Route.objects.get(name="反向")
    assert [s.checkpoint_id for s in route.stops.all()] == [c.pk, a.pk]
    assert route.stops.get(checkpoint=a).minutes == 7 and route.schedules.count() == 1
    empty = client.post(f"/console/patrol/c/{patrol.a.pk}/routes/", {"name": "空"})
    assert empty.status_code == 422


def test_qr_sheet_prints_one_svg_code_per_checkpoint(patrol, login):
    services.checkpoint_retire(actor=patrol.manager_a, checkpoint=patrol.cps[2])
    page = login(patrol.manager_a).get(f"/console/patrol/c/{patrol.a.pk}/qr/")
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="qr"') == 2 and "<svg" in html


@time_machine.travel(AT_2210, tick=False)
def test_run_page_shows_flags_in_words(patrol, login):
    record, _r = services.checkin(
        actor=patrol.staff_a,
        token=services.qr_token(patrol.cps[1]),
        key="k",
        lat=29.7,
        lng=105.05,
    )
    page = login(patrol.manager_a).get(f"/console/patrol/runs/{record.run_id}/")
    html = page.content.decode()
    assert "不在签到范围内" in html and "未按顺序巡查" in html


@time_machine.travel(AT_2210, tick=False)
def test_guard_phone_pages(patrol, login):
    client = login(patrol.staff_a)
    tonight = client.get("/h5/patrol/")
    assert tonight.status_code == 200 and 'data-testid="next-stop"' in tonight.content.decode()
    scan = client.get("/h5/patrol/scan/?t=" + services.qr_token(patrol.cps[0]))
    html = scan.content.decode()
    assert scan.status_code == 200 and "patrol-checkin.js" in html and "<script>" not in html
    services.checkpoint_retire(actor=patrol.manager_a, checkpoint=patrol.cps[0])
    gone = client.get("/h5/patrol/scan/?t=" + services.qr_token(patrol.cps[0]))
    assert gone.status_code == 422 and "停用" in gone.content.decode()
    bad = client.post("/h5/patrol/incident/", {"category": "nope", "note": ""})
    assert bad.status_code == 422
    ok = client.post(
        "/h5/patrol/incident/",
        {"category": "water", "severity": "high", "note": "积水", "place": "河边"},
    )
    assert ok.status_code == 302 and Incident.objects.filter(compound=patrol.a).count() == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    refused = client.post(
        "/h5/patrol/incident/",
        {"category": "water", "severity": "low", "note": "积水", "photo": text},
    )
    assert refused.status_code == 422 and "照片无法识别" in refused.content.decode()
    assert Incident.objects.filter(compound=patrol.a).count() == 1


def test_incident_to_case_once_then_409(patrol, login):
    incident = services.incident_report(
        actor=patrol.staff_a, compound=patrol.a, category="facility", note="路灯坏了"
    )
    client = login(patrol.manager_a)
    url = f"/console/patrol/incidents/{incident.pk}/to-case/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 409
