import json

import pytest
import time_machine

from wanjia.care.models import Escalation, Visit

from .conftest import at

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_visit_list_masks_names_and_orders_by_building(care, api):
    r = api(care.manager_a).get(f"/api/v1/care/visits?compound={care.a.pk}&date=2026-03-10")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2
    assert {i["person"] for i in body["items"]} == {"张*", "李*"}
    item = body["items"][0]
    assert set(item) == {"id", "person", "building", "due_by", "status", "outcome"}
    assert item["status"] == "pending" and item["outcome"] == ""


def test_volunteer_lists_only_assigned(care, api):
    r = api(care.volunteer_a).get(f"/api/v1/care/visits?compound={care.a.pk}&date=2026-03-10")
    assert [i["id"] for i in r.json()["items"]] == [care.v2.pk]


def test_resident_never_sees_the_list(care, api):
    r = api(care.resident_a).get(f"/api/v1/care/visits?compound={care.a.pk}")
    assert r.status_code == 403


def test_outcome_no_answer_opens_escalation(care, api):
    with time_machine.travel(at(9), tick=False):
        r = _post(
            api(care.staff_a),
            f"/api/v1/care/visits/{care.v1.pk}/outcome",
            {"outcome": "no_answer", "note": "敲门无人应"},
        )
    assert r.status_code == 200, r.content
    body = r.json()
    esc = Escalation.objects.get(visit=care.v1)
    assert body["status"] == "done" and body["outcome"] == "no_answer"
    assert body["escalation"]["id"] == esc.pk and body["escalation"]["step"] == 1
    assert body["escalation"]["due_at"].startswith("2026-03-10T10:00")
    r = _post(api(care.staff_a), f"/api/v1/care/visits/{care.v1.pk}/outcome", {"outcome": "well"})
    assert r.status_code == 409

    listed = api(care.manager_a).get(f"/api/v1/care/escalations?compound={care.a.pk}&status=open")
    assert listed.json()["count"] == 1
    assert set(listed.json()["items"][0]) == {"id", "visit", "step", "owner", "due_at", "status"}

    r = _post(
        api(care.staff_a),
        f"/api/v1/care/escalations/{esc.pk}/resolve",
        {"result": "safe", "note": "在楼下晒太阳"},
    )
    assert r.status_code == 200 and r.json()["status"] == "resolved"


def test_outcome_well_has_no_escalation(care, api):
    r = _post(api(care.staff_a), f"/api/v1/care/visits/{care.v1.pk}/outcome", {"outcome": "well"})
    assert r.status_code == 200 and r.json()["escalation"] is None


def test_field_errors_are_422(care, api):
    r = _post(api(care.staff_a), f"/api/v1/care/visits/{care.v1.pk}/outcome", {"outcome": "fine"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"outcome"}
    r = _post(api(care.staff_a), f"/api/v1/care/visits/{care.v1.pk}/outcome", {})
    assert r.status_code == 422
    assert Visit.objects.get(pk=care.v1.pk).outcome == ""
    esc_r = api(care.manager_a).get(f"/api/v1/care/escalations?compound={care.a.pk}&status=x")
    assert esc_r.status_code == 422


def test_other_compound_is_404(care, api):
    r = _post(api(care.manager_a), f"/api/v1/care/visits/{care.v3.pk}/outcome", {"outcome": "well"})
    assert r.status_code == 404
    r = api(care.manager_a).get(f"/api/v1/care/visits?compound={care.b.pk}")
    assert r.status_code == 404
