"""The API with the names the issue fixes: categories, an idempotent create,
the detail with its clock, the rating; field errors; another household's
ticket is a 404."""

import json
from datetime import timedelta

import pytest
import time_machine

from wanjia.core.roles import Role
from wanjia.estates.testing import grant, make_user
from wanjia.tickets import services
from wanjia.tickets.models import Ticket

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _post(client, url, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_categories_carry_their_targets(world, api):
    body = api(world.resident_a).get("/api/v1/tickets/categories").json()
    assert body["count"] == len(body["items"]) == 10
    leak = next(i for i in body["items"] if i["code"] == "leak")
    assert (leak["respond_minutes"], leak["finish_hours"]) == (30, 24)
    assert set(leak) >= {"code", "name", "respond_minutes", "finish_hours"}


@time_machine.travel(NOW, tick=False)
def test_create_is_idempotent_and_answers_the_targets(world, api):
    client = api(world.resident_a)
    body = {"category": "leak", "title": "卫生间漏水", "description": "楼上渗下来"}
    first = _post(client, "/api/v1/tickets", body, key="k-1")
    assert first.status_code == 201, first.content
    data = first.json()
    assert set(data) == {"id", "status", "respond_by", "finish_by"}
    assert data["status"] == "submitted"
    again = _post(client, "/api/v1/tickets", body, key="k-1")
    assert again.status_code == 201 and again.json() == data
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    assert _post(client, "/api/v1/tickets", body).status_code == 400
    assert _post(client, "/api/v1/tickets", {**body, "title": "x"}, key="k-1").status_code == 422
    bad = _post(client, "/api/v1/tickets", {"category": "nope", "description": ""}, key="k-2")
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"category", "description"}
    detail = client.get(f"/api/v1/tickets/{data['id']}").json()
    assert detail["targets"][0]["key"] == "respond" and detail["targets"][0]["met"] is None
    assert detail["steps"][0]["kind"] == "submitted"


def test_duplicate_common_area_fault_is_a_409_naming_the_first(world, api):
    client = api(world.resident_a)
    body = {"category": "lighting", "description": "路灯不亮", "place": "北门路灯"}
    first = _post(client, "/api/v1/tickets", body, key="d-1").json()
    second = _post(client, "/api/v1/tickets", body, key="d-2")
    assert second.status_code == 409
    assert f"#{first['id']}" in second.json()["detail"]


def test_a_resident_never_sees_another_households_ticket(world, api):
    neighbour = grant(make_user("res_other"), Role.RESIDENT, world.other_home)
    theirs = services.ticket_open(actor=neighbour, category="doors", description="门锁坏了")
    mine = api(world.resident_a)
    assert mine.get(f"/api/v1/tickets/{theirs.pk}").status_code == 404
    assert _post(mine, f"/api/v1/tickets/{theirs.pk}/rate", {"score": 5}).status_code == 404
    assert mine.get("/api/v1/tickets").json()["count"] == 0
    assert api(neighbour).get("/api/v1/tickets").json()["count"] == 1


def test_staff_flow_and_rating_over_the_api(world, api):
    with time_machine.travel(NOW, tick=False):
        t = services.ticket_open(
            actor=world.resident_a, category="plumbing", description="下水道堵了"
        )
        staff = api(world.staff_a)
        assert _post(staff, f"/api/v1/tickets/{t.pk}/accept", {}).json()["status"] == "assigned"
        assert _post(staff, f"/api/v1/tickets/{t.pk}/accept", {}).status_code == 409
        assert (
            _post(staff, f"/api/v1/tickets/{t.pk}/done", {"note": "通了"}).json()["status"]
            == "done"
        )
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        resident = api(world.resident_a)
        assert _post(resident, f"/api/v1/tickets/{t.pk}/rate", {"score": 9}).status_code == 422
        rated = _post(resident, f"/api/v1/tickets/{t.pk}/rate", {"score": 1, "comment": "没修好"})
        assert rated.status_code == 200 and rated.json()["status"] == "return_visit"
        manager = api(world.manager_a)
        no_fix = _post(manager, f"/api/v1/tickets/{t.pk}/visit", {"note": "已回访"})
        assert no_fix.status_code == 422
        fix_by = (NOW + timedelta(days=1)).isoformat()
        visited = _post(
            manager, f"/api/v1/tickets/{t.pk}/visit", {"note": "明天再来", "fix_by": fix_by}
        )
        assert visited.json()["status"] == "assigned"
        targets = {x["key"]: x for x in visited.json()["targets"]}
        assert targets["respond"]["met"] is True and targets["finish"]["met"] is True
        assert targets["fix"]["met"] is None
