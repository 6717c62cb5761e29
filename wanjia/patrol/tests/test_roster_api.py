"""POST /api/v1/patrol/rosters: 202 with a job whose result is the roster (or
the reasons none exists); 422 field errors; 403 for a role without it; 404 for
another compound. GET of the stored roster."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from wanjia.core.models import Job
from wanjia.patrol.models import Leave, RosterShift

from .roster_kit import START, build_team

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 3, 1, 10, 0))
URL = "/api/v1/patrol/rosters"


@pytest.fixture
def team(world):
    world.team, world.guards = build_team(world, world.a, world.staff_a, world.volunteer_a)
    return world


def _post(client, body):
    return client.post(URL, body, content_type="application/json")


@time_machine.travel(NOW, tick=False)
def test_post_queues_a_job_whose_result_is_the_roster(
    team, api, django_capture_on_commit_callbacks
):
    client = api(team.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        resp = _post(client, {"compound": team.a.pk, "start": START.isoformat(), "days": 7})
    assert resp.status_code == 202, resp.content
    body = resp.json()
    assert body["status_url"] == f"/api/v1/patrol/rosters/jobs/{body['job']}"
    job = client.get(body["status_url"]).json()
    assert job["status"] == "done", job
    result = job["result"]
    assert result["status"] in ("optimal", "feasible") and result["saved"] == 28
    assert len(result["assignments"]) == 28 and result["reasons"] == []
    first = result["assignments"][0]
    assert set(first) == {"date", "shift", "user", "name"} and first["name"]
    assert RosterShift.objects.filter(compound=team.a).count() == 28
    listed = client.get(f"{URL}?compound={team.a.pk}&start={START}&end={START + timedelta(6)}")
    assert listed.status_code == 200 and listed.json()["count"] == 28
    assert listed.json()["items"][0]["starts_at"].startswith(START.isoformat())


@time_machine.travel(NOW, tick=False)
def test_job_result_gives_the_reasons_when_no_roster_exists(
    team, api, django_capture_on_commit_callbacks
):
    for g in team.guards[1:]:
        Leave.objects.create(compound=team.a, user=g, start=START, end=START)
    client = api(team.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        resp = _post(client, {"compound": team.a.pk, "start": START.isoformat(), "days": 3})
    job = client.get(resp.json()["status_url"]).json()
    result = job["result"]
    assert result["status"] == "infeasible" and result["saved"] == 0 and not result["assignments"]
    texts = [r["text"] for r in result["reasons"]]
    assert any("3/2 周一" in t and "请假" in t for t in texts), texts
    en = client.get(resp.json()["status_url"], headers={"Accept-Language": "en"}).json()
    assert any("leave" in r["text"] for r in en["result"]["reasons"]), en
    assert not RosterShift.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_bad_input_is_a_field_error_and_queues_nothing(team, api):
    client = api(team.manager_a)
    for body, field in (
        ({"compound": team.a.pk, "start": START.isoformat(), "days": 0}, "days"),
        ({"compound": team.a.pk, "start": START.isoformat(), "days": 57}, "days"),
        ({"compound": team.a.pk, "start": "2026-02-30", "days": 7}, "start"),
        ({"compound": team.a.pk, "start": "2019-01-01", "days": 7}, "start"),
        ({"start": START.isoformat(), "days": 7}, "compound"),
    ):
        resp = _post(client, body)
        assert resp.status_code == 422, (body, resp.content)
        fields = {e["field"] for e in resp.json()["errors"]}
        assert any(field in f for f in fields), (body, fields)
    assert not Job.objects.exists()


def test_wrong_role_is_403_and_other_compound_404(team, api):
    body = {"compound": team.a.pk, "start": START.isoformat(), "days": 7}
    assert _post(api(team.staff_a), body).status_code == 403
    assert _post(api(team.secretary_a), body).status_code == 403
    assert _post(api(team.outsider_b), body).status_code == 404
    assert not Job.objects.exists()
