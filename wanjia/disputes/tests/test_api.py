"""The API contract of /api/v1/disputes: shapes, status codes, error format."""

from datetime import timedelta

import pytest
import time_machine

from wanjia.disputes.models import Case, CaseParty

from .conftest import T0


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_report_mediate_resolve_rate(world, api):
    resident, leader = api(world.resident_a), api(world.leader_a)
    r = _post(
        resident,
        "/api/v1/disputes/cases",
        {"category": "leak", "summary": "楼上漏水", "parties": [world.other_home.pk]},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert {"id", "level", "status"} <= body.keys()
    assert (body["level"], body["status"], body["mediator_name"]) == (
        "building",
        "pending",
        "陈楼长",
    )
    assert [p["household"] for p in body["parties"]] == [world.home.pk, world.other_home.pk]
    url = f"/api/v1/disputes/cases/{body['id']}"

    r = _post(
        leader, f"{url}/sessions", {"notes": "双方到场", "attendees": "张伟、李娜", "place": "1栋"}
    )
    assert r.status_code == 201 and r.json()["notes"] == "双方到场"
    assert resident.get(url).json()["status"] == "mediating"

    r = _post(resident, f"{url}/rating", {"score": 5})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "score"

    r = _post(
        leader, f"{url}/resolve", {"resolution": "楼上修好防水，赔偿吊顶", "agreement": "一、……"}
    )
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["resolved_level"]) == ("resolved", "building")

    r = _post(resident, f"{url}/rating", {"score": 4, "comment": "谢谢楼长"})
    assert r.status_code == 200 and r.json()["satisfaction"] == 4
    assert CaseParty.objects.get(household=world.home).satisfaction == 4
    # the mediator records the other party's answer from a phone call
    other = CaseParty.objects.get(household=world.other_home)
    assert _post(leader, f"{url}/rating", {"score": 5, "party": other.pk}).status_code == 200
    # but the resident cannot rate for the other side
    assert _post(resident, f"{url}/rating", {"score": 1, "party": other.pk}).status_code == 403
    other.refresh_from_db()
    assert other.satisfaction == 5

    r = _post(leader, f"{url}/followup", {"note": "已履行"})
    assert r.status_code == 200 and r.json()["status"] == "closed"


def test_validation_errors_are_field_level(world, api):
    client = api(world.manager_a)
    r = _post(client, "/api/v1/disputes/cases", {"category": "aliens", "summary": ""})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "category"
    r = _post(
        client,
        "/api/v1/disputes/cases",
        {
            "category": "noise",
            "summary": "  ",
            "building": world.home.building_id,
            "parties": [world.home.pk],
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "summary", "message": "请填写情况描述。"}]
    r = _post(
        client,
        "/api/v1/disputes/cases",
        {
            "category": "noise",
            "summary": "吵",
            "building": world.home.building_id,
            "parties": [world.b_home.pk],
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "parties"
    r = _post(
        client,
        "/api/v1/disputes/cases",
        {"category": "noise", "summary": "吵", "building": world.home.building_id},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "parties"
    assert Case.objects.count() == 0


def test_rating_out_of_range_and_missing_case(world, api):
    client = api(world.resident_a)
    r = _post(client, "/api/v1/disputes/cases/999999/rating", {"score": 3})
    assert r.status_code == 404 and r.json()["detail"] == "未找到该记录。"
    case = _post(
        client,
        "/api/v1/disputes/cases",
        {"category": "pets", "summary": "狗叫", "parties": [world.other_home.pk]},
    ).json()
    r = _post(client, f"/api/v1/disputes/cases/{case['id']}/rating", {"score": 6})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "score"


def test_escalate_to_the_top_and_no_further(world, api):
    leader, secretary, gov = api(world.leader_a), api(world.secretary_a), api(world.regulator)
    case = _post(
        api(world.resident_a),
        "/api/v1/disputes/cases",
        {"category": "noise", "summary": "吵", "parties": [world.other_home.pk]},
    ).json()
    url = f"/api/v1/disputes/cases/{case['id']}/escalate"
    assert _post(leader, url).json()["level"] == "compound"
    assert _post(leader, url).status_code == 403  # no longer the leader's level
    assert _post(secretary, url, {"reason": "涉及多户"}).json()["level"] == "community"
    assert _post(gov, url).json()["level"] == "street"
    r = _post(gov, url)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "level"


def test_reopen_within_the_period_only(world, api):
    with time_machine.travel(T0, tick=False) as clock:
        resident, leader = api(world.resident_a), api(world.leader_a)
        case = _post(
            resident,
            "/api/v1/disputes/cases",
            {"category": "leak", "summary": "漏水", "parties": [world.other_home.pk]},
        ).json()
        url = f"/api/v1/disputes/cases/{case['id']}"
        _post(leader, f"{url}/resolve", {"resolution": "修好了"})
        clock.shift(timedelta(days=10))
        r = _post(resident, f"{url}/reopen", {"reason": "又漏了"})
        assert r.status_code == 200
        assert (r.json()["status"], r.json()["level"], r.json()["reopened"]) == (
            "mediating",
            "building",
            1,
        )
        assert r.json()["due_at"].startswith("2025-03-16")  # a fresh 3 days from T0+10 (UTC)
        _post(leader, f"{url}/resolve", {"resolution": "换了管子"})
        clock.shift(timedelta(days=31))
        r = _post(resident, f"{url}/reopen", {"reason": "还是漏"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"


def test_list_filters_and_pagination(world, api):
    resident = api(world.resident_a)
    for cat in ("noise", "leak", "pets"):
        _post(
            resident,
            "/api/v1/disputes/cases",
            {"category": cat, "summary": cat, "parties": [world.other_home.pk]},
        )
    body = api(world.manager_a).get("/api/v1/disputes/cases?category=leak").json()
    assert body["count"] == 1 and body["items"][0]["category"] == "leak"
    page = api(world.manager_a).get("/api/v1/disputes/cases?limit=2").json()
    assert page["count"] == 3 and len(page["items"]) == 2
    mine = api(world.leader_a).get("/api/v1/disputes/cases?mine=true").json()
    assert mine["count"] == 3
    assert api(world.manager_a).get("/api/v1/disputes/cases?open=false").json()["count"] == 0


def test_sweeps_and_policy(world, api):
    from wanjia.disputes import services

    with time_machine.travel(T0, tick=False):
        assert services.sweeps_plan(compound=world.a) == 2
        assert services.sweeps_plan(compound=world.a) == 0  # idempotent
        mine = api(world.leader_a).get("/api/v1/disputes/sweeps?mine=true").json()
        assert mine["count"] == 1
        sweep = mine["items"][0]
        assert (sweep["period_start"], sweep["period_end"]) == ("2025-03-01", "2025-03-31")
        r = _post(api(world.resident_a), f"/api/v1/disputes/sweeps/{sweep['id']}/complete")
        assert r.status_code == 404
        r = _post(
            api(world.leader_a),
            f"/api/v1/disputes/sweeps/{sweep['id']}/complete",
            {"note": "逐户走访"},
        )
        assert r.status_code == 200 and r.json()["found_nothing"] is True
        r = _post(api(world.leader_a), f"/api/v1/disputes/sweeps/{sweep['id']}/complete")
        assert r.status_code == 422

    url = f"/api/v1/disputes/policy?compound={world.a.pk}"
    assert api(world.manager_a).get(url).json()["building_days"] == 3
    r = api(world.manager_a).patch(
        url, {"building_days": 2, "sweep_period": "week"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["building_days"] == 2
    r = api(world.manager_a).patch(url, {"building_days": 0}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "building_days"
    r = api(world.secretary_a).patch(url, {"building_days": 9}, content_type="application/json")
    assert r.status_code == 403
    r = api(world.outsider_b).patch(url, {"building_days": 9}, content_type="application/json")
    assert r.status_code == 404
    assert api(world.manager_a).get(url).json()["building_days"] == 2


def test_openapi_lists_the_issue_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in [
        "/api/v1/disputes/cases",
        "/api/v1/disputes/cases/{case_id}",
        "/api/v1/disputes/cases/{case_id}/escalate",
        "/api/v1/disputes/cases/{case_id}/sessions",
        "/api/v1/disputes/cases/{case_id}/resolve",
        "/api/v1/disputes/cases/{case_id}/rating",
        "/api/v1/disputes/stats",
        "/api/v1/party/coverage",
    ]:
        assert p in paths, p


@pytest.mark.parametrize(
    "change, field",
    [
        ({"summary": "漏" * 2001}, "summary"),
        ({"summary": "漏\x00水"}, "summary"),
        ({"parties": [0]}, "parties.0"),
        ({"parties": [True]}, "parties.0"),  # not read as household 1
        ({"compound": 2**63}, "compound"),
    ],
)
def test_bad_case_input_is_422_and_opens_nothing(world, api, change, field):
    body = {"category": "leak", "summary": "楼上漏水", "parties": [world.other_home.pk], **change}
    r = _post(api(world.resident_a), "/api/v1/disputes/cases", body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.content
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "query, field",
    [
        ("until=0", "until"),  # not a Unix timestamp
        ("since=1700000000", "since"),
        ("since=0001-01-01", "since"),
        (f"compound={2**63}", "compound"),
    ],
)
def test_bad_stats_query_is_422(world, api, query, field):
    r = api(world.manager_a).get(f"/api/v1/disputes/stats?{query}")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.content


def test_policy_refuses_what_its_schema_does_not_allow(world, api):
    url = f"/api/v1/disputes/policy?compound={world.a.pk}"
    for body, field in [
        ({"reopen_days": False}, "reopen_days"),  # not read as 0
        ({"street_days": 366}, "street_days"),
        ({"sweep_period": "daily"}, "sweep_period"),
    ]:
        r = api(world.manager_a).patch(url, body, content_type="application/json")
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, body
    r = api(world.manager_a).patch(url, [], content_type="application/json")
    assert r.status_code == 422
    assert api(world.manager_a).get(url).json()["reopen_days"] == 30  # the default, unchanged
    page = api(world.manager_a).get("/api/v1/disputes/sweeps?limit=201")
    assert page.status_code == 422 and page.json()["errors"][0]["field"] == "limit"
