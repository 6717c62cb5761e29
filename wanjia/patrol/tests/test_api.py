"""The patrol API: shapes the issue names, and its refusals."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from wanjia.core.models import AuditLog
from wanjia.patrol import services
from wanjia.patrol.models import CheckIn

from .conftest import NIGHT, build_patrol

AT_2205 = timezone.make_aware(datetime(2026, 3, 10, 22, 5))
URL = "/api/v1/patrol/checkins"


def _post(client, body, key="scan-1"):
    return client.post(URL, body, content_type="application/json", headers={"Idempotency-Key": key})


@pytest.mark.django_db
def test_checkpoints_and_runs_shapes(patrol, api):
    client = api(patrol.manager_a)
    body = client.get(f"/api/v1/patrol/checkpoints?compound={patrol.a.pk}").json()
    assert body["count"] == 3
    assert body["items"][0].keys() == {"id", "name", "kind", "compound"}
    runs = client.get(f"/api/v1/patrol/runs?compound={patrol.a.pk}&date=2026-03-10").json()
    assert runs["count"] == 4  # the night of the 10th: 22:00, 00:00, 02:00, 04:00
    assert runs["items"][0].keys() == {"id", "route", "starts_at", "status", "done", "missed"}
    nxt = client.get(f"/api/v1/patrol/runs?compound={patrol.a.pk}&date=2026-03-11").json()
    assert nxt["count"] == 0
    bad = client.get(f"/api/v1/patrol/runs?compound={patrol.a.pk}&date=tomorrow")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "date"


@pytest.mark.django_db
def test_qr_is_a_signed_token_and_its_url_opens_the_check_in_page(patrol, api, login):
    cp = patrol.cps[0]
    body = api(patrol.manager_a).get(f"/api/v1/patrol/checkpoints/{cp.pk}/qr").json()
    assert body.keys() == {"token", "url"} and str(cp.pk) != body["token"]
    assert body["url"].endswith("/h5/patrol/scan/?t=" + body["token"])
    page = login(patrol.staff_a).get(body["url"])
    assert page.status_code == 200 and cp.name in page.content.decode()
    refused = login(patrol.staff_a).get("/h5/patrol/scan/?t=forged")
    assert refused.status_code == 422 and "二维码无效" in refused.content.decode()
    assert api(patrol.staff_a).get(f"/api/v1/patrol/checkpoints/{cp.pk}/qr").status_code == 403


@pytest.mark.django_db
@time_machine.travel(AT_2205, tick=False)
def test_checkin_201_then_replay_the_same_record(patrol, api):
    client = api(patrol.staff_a)
    body = {"token": services.qr_token(patrol.cps[0]), "note": "正常"}
    first = _post(client, body)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data.keys() == {"id", "checkpoint", "run", "status", "flags"}
    assert data["status"] == "on_time" and data["run"] is not None and data["flags"] == []
    again = _post(client, body)
    assert again.status_code == 201 and again.json() == data
    assert again["Idempotent-Replayed"] == "true"
    assert CheckIn.objects.count() == 1


@pytest.mark.django_db
@time_machine.travel(AT_2205, tick=False)
def test_checkin_refusals(patrol, api):
    client = api(patrol.staff_a)
    bad = _post(client, {"token": "forged"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "token"
    assert bad.json()["detail"]
    assert AuditLog.objects.filter(action="patrol.checkin.refused").count() == 1
    other = _post(client, {"token": services.qr_token(patrol.b_cps[0])}, key="scan-2")
    assert other.status_code == 422
    services.checkpoint_retire(actor=patrol.manager_a, checkpoint=patrol.cps[2])
    retired = _post(client, {"token": services.qr_token(patrol.cps[2])}, key="scan-3")
    assert retired.status_code == 422 and "停用" in retired.json()["detail"]
    no_key = client.post(URL, {"token": "x"}, content_type="application/json")
    assert no_key.status_code == 422
    resident = _post(api(patrol.resident_a), {"token": services.qr_token(patrol.cps[0])})
    assert resident.status_code == 403
    manager = _post(api(patrol.manager_a), {"token": services.qr_token(patrol.cps[0])})
    assert manager.status_code == 403
    assert CheckIn.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_replays_make_one_record(world):
    cps, route, schedule = build_patrol(world, world.a, world.manager_a)
    services.runs_generate_for(schedule, NIGHT, NIGHT + timezone.timedelta(hours=12))
    token = services.qr_token(cps[0])
    barrier = threading.Barrier(20)

    def tap(_n):
        try:
            barrier.wait(timeout=30)
            record, _replayed = services.checkin(actor=world.staff_a, token=token, key="same-key")
            return record.pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        ids = list(pool.map(tap, range(20)))
    assert len(set(ids)) == 1
    assert CheckIn.objects.filter(user=world.staff_a, key="same-key").count() == 1
    # the losers' statements wrote nothing: no second audit entry
    assert AuditLog.objects.filter(action="patrol.checkin.recorded").count() == 1
