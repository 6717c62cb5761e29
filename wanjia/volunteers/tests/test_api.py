"""The API the issue fixes: the task list and sign-up (201, 409 when full,
Idempotency-Key honoured)."""

import json

import pytest
import time_machine

from wanjia.core.roles import Role
from wanjia.core.testing import grant, make_user
from wanjia.volunteers.models import Signup, Task

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_task_list(tasks, api):
    with time_machine.travel(NOW, tick=False):
        r = api(tasks.volunteer_a).get(f"/api/v1/volunteers/tasks?compound={tasks.a.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert {"id", "title", "starts_at", "ends_at", "places", "taken"} <= set(item)
    assert item["places"] == 3 and item["taken"] == 1
    assert item["starts_at"].startswith("2026-03-11T05:00:00+08:00")


def test_task_list_errors(tasks, api):
    client = api(tasks.volunteer_a)
    assert client.get("/api/v1/volunteers/tasks").status_code == 422
    assert client.get("/api/v1/volunteers/tasks?compound=abc").status_code == 422
    r = client.get(f"/api/v1/volunteers/tasks?compound={tasks.b.pk}")
    assert r.status_code == 404 and r.json()["detail"]
    assert (
        api(tasks.resident_a).get(f"/api/v1/volunteers/tasks?compound={tasks.a.pk}").status_code
        == 403
    )


def _post(client, task, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/v1/volunteers/tasks/{task.pk}/signup",
        data=json.dumps({}),
        content_type="application/json",
        headers=headers,
    )


def test_signup_201_then_409_when_full(tasks, api):
    users = [grant(make_user(f"api_v{n}"), Role.VOLUNTEER, tasks.a) for n in range(3)]
    with time_machine.travel(NOW, tick=False):
        first = _post(api(users[0]), tasks.task_a)
        assert first.status_code == 201, first.content
        assert first.json()["taken"] == 2
        assert _post(api(users[1]), tasks.task_a).status_code == 201
        full = _post(api(users[2]), tasks.task_a)
        assert full.status_code == 409
        assert full.json()["detail"] == "名额已满。"
        again = _post(api(tasks.volunteer_a), tasks.task_a)
        assert again.status_code == 409
    assert Task.objects.get(pk=tasks.task_a.pk).taken == 3


def test_signup_idempotency_key(tasks, api):
    user = grant(make_user("api_idem"), Role.VOLUNTEER, tasks.a)
    client = api(user)
    with time_machine.travel(NOW, tick=False):
        one = _post(client, tasks.task_a, key="tap-1")
        two = _post(client, tasks.task_a, key="tap-1")
        assert one.status_code == two.status_code == 201
        assert one.json() == two.json()
        assert two["Idempotent-Replayed"] == "true"
        assert _post(client, tasks.task_a, key="x" * 101).status_code == 400
        # a different task under the same key: reused key
        assert _post(client, tasks.task_b, key="tap-1").status_code == 404
    assert Signup.objects.filter(volunteer__user=user).count() == 1
    assert Task.objects.get(pk=tasks.task_a.pk).taken == 2


def test_signup_refusals(tasks, api):
    with time_machine.travel(NOW, tick=False):
        assert _post(api(tasks.resident_a), tasks.task_a).status_code == 403
        assert _post(api(tasks.volunteer_a), tasks.task_b).status_code == 404
        r = api(tasks.volunteer_a).post(
            "/api/v1/volunteers/tasks/99999999999999999999999/signup",
            data="{}",
            content_type="application/json",
        )
        assert r.status_code == 422
