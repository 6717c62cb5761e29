"""The five routes the issue names, with their shapes."""

import json

import pytest
import time_machine

from wanjia.emergency.models import DailyReport, Event, EventCompound

from .conftest import NOW, district_officer

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_open_is_regulator_only_and_idempotent(world, api):
    body = {"kind": "epidemic", "grade": 4, "title": "疫情演练", "compounds": [world.a.pk]}
    r = post(api(world.manager_a), "/api/v1/emergency/events", body)
    assert r.status_code == 403 and Event.objects.count() == 0
    gov = api(world.regulator)
    r1 = post(gov, "/api/v1/emergency/events", body, **{"Idempotency-Key": "drill-1"})
    assert r1.status_code == 201, r1.content
    assert set(r1.json()) >= {"id", "status"} and r1.json()["status"] == "opening"
    r2 = post(gov, "/api/v1/emergency/events", body, **{"Idempotency-Key": "drill-1"})
    assert r2.status_code == 201 and r2.json()["id"] == r1.json()["id"]
    assert r2["Idempotent-Replayed"] == "true"
    assert Event.objects.count() == 1 and EventCompound.objects.count() == 1
    r3 = post(
        gov, "/api/v1/emergency/events", {**body, "grade": 3}, **{"Idempotency-Key": "drill-1"}
    )
    assert r3.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "war", "grade": 1, "title": "x", "compounds": [1]},
        {"kind": "flood", "grade": 0, "title": "x", "compounds": [1]},
        {"kind": "flood", "grade": 1, "title": "", "compounds": [1]},
        {"kind": "flood", "grade": 1, "title": "x", "compounds": [2**62]},
        {"kind": "flood", "grade": 1, "title": "x"},
        {"kind": "flood", "grade": True, "title": "x", "compounds": []},
    ],
)
def test_bad_open_is_4xx_with_fields(world, api, body):
    r = post(api(world.regulator), "/api/v1/emergency/events", body)
    assert r.status_code in (400, 422), r.content
    assert r.json()["errors"][0]["field"]
    assert Event.objects.count() == 0


def test_district_officer_refused_outside(world, api):
    officer = district_officer(world)
    r = post(
        api(officer),
        "/api/v1/emergency/events",
        {"kind": "flood", "grade": 2, "title": "x", "region": world.b.community.parent.pk},
    )
    assert r.status_code == 403


def test_list_status_reports_close(flood, api):
    w = flood
    mgr = api(w.manager_a)
    r = mgr.get("/api/v1/emergency/events?status=open")
    assert r.status_code == 200
    assert r.json() == {
        "items": [
            {
                "id": w.event.pk,
                "kind": "flood",
                "grade": 3,
                "title": w.event.title,
                "status": "open",
            }
        ],
        "count": 1,
    }
    with time_machine.travel(NOW, tick=False):
        r1 = post(
            mgr, f"/api/v1/emergency/events/{w.event.pk}/reports", {"on_duty": 5, "note": "正常"}
        )
        assert r1.status_code == 201, r1.content
        r2 = post(
            mgr,
            f"/api/v1/emergency/events/{w.event.pk}/reports",
            {"on_duty": 7, "note": "加岗", "people_moved": 2},
        )
        assert r2.status_code == 200 and r2.json()["id"] == r1.json()["id"]
        assert DailyReport.objects.get().on_duty == 7
        bad = post(mgr, f"/api/v1/emergency/events/{w.event.pk}/reports", {"on_duty": -1})
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} >= {"on_duty"}
        # the manager sees only A in the status; the regulator both
        s = mgr.get(f"/api/v1/emergency/events/{w.event.pk}/status").json()
        assert s == {
            "compounds": [
                {
                    "id": w.a.pk,
                    "checklist_done": 0,
                    "checklist_total": 5,
                    "report_today": True,
                    "roll_call": {"safe": 0, "needs_help": 0, "unknown": 0},
                }
            ]
        }
        s = api(w.regulator).get(f"/api/v1/emergency/events/{w.event.pk}/status").json()
        assert {c["id"] for c in s["compounds"]} == {w.a.pk, w.b.pk}
    assert post(mgr, f"/api/v1/emergency/events/{w.event.pk}/close", {}).status_code == 403
    r = post(api(w.regulator), f"/api/v1/emergency/events/{w.event.pk}/close", {"summary": "结束"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert (
        post(api(w.regulator), f"/api/v1/emergency/events/{w.event.pk}/close", {}).status_code
        == 409
    )
    assert mgr.get("/api/v1/emergency/events?status=open").json()["count"] == 0


def test_report_for_a_compound_not_mine_or_not_in_event(flood, api):
    w = flood
    r = post(
        api(w.company_admin_a),
        f"/api/v1/emergency/events/{w.event.pk}/reports",
        {"on_duty": 1, "note": "x", "compound": w.b.pk},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "compound"
