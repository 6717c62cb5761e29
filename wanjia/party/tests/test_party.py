"""The party layer: coverage on a fixture with known answers, the API, the
write rules, service hours, the 党员 badge."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wanjia.estates.models import StaffMember
from wanjia.estates.testing import make_resident
from wanjia.party import selectors, services
from wanjia.party.models import Branch, Member, Responsibility, Team

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 20, 9, 0, tzinfo=TZ)


@pytest.fixture
def branch(world):
    b = services.branch_create(actor=world.secretary_a, name="幸福里党支部", compounds=[world.a])
    return b


@pytest.fixture
def members(world, branch):
    """张伟 (resident of building 1) and 赵保安 (staff), both members."""
    zhang = world.home.residents.get()
    guard = StaffMember.objects.create(
        company=world.a.company,
        compound=world.a,
        name="赵保安",
        user=world.staff_a,
        is_party_member=True,
    )
    return (
        services.member_add(actor=world.secretary_a, branch=branch, resident=zhang),
        services.member_add(actor=world.secretary_a, branch=branch, staff=guard),
    )


def test_coverage_by_hand(world, members):
    """A: two buildings of six households each (make_compound's defaults)."""
    zhang, guard = members
    b1, b2 = world.a.buildings.order_by("sort")
    cov = selectors.coverage(world.a)
    assert (cov.members, cov.buildings_covered, cov.households_covered) == (2, 0.0, 0.0)
    services.responsibility_assign(actor=world.secretary_a, member=zhang, building=b1)
    services.responsibility_assign(
        actor=world.secretary_a, member=guard, household=b2.households.order_by("id").first()
    )
    cov = selectors.coverage(world.a, with_rows=True)
    assert (cov.buildings, cov.households) == (2, 12)
    assert cov.buildings_covered == 0.5  # b1 only: a single household does not cover b2
    assert cov.households_covered == round(7 / 12, 4)  # b1's six and one of b2
    row2 = next(r for r in cov.rows if r.building == b2)
    assert not row2.covered and len(row2.uncovered) == 5
    # a transferred member covers nothing
    services.member_update(actor=world.secretary_a, member=zhang, data={"status": "transferred"})
    cov = selectors.coverage(world.a)
    assert (cov.members, cov.buildings_covered, cov.households_covered) == (
        1,
        0.0,
        round(1 / 12, 4),
    )


def test_coverage_api(world, api, members):
    zhang, _guard = members
    services.responsibility_assign(
        actor=world.secretary_a, member=zhang, building=world.home.building
    )
    r = api(world.secretary_a).get(f"/api/v1/party/coverage?compound={world.a.pk}")
    assert r.status_code == 200
    body = r.json()
    assert (body["members"], body["buildings_covered"], body["households_covered"]) == (2, 0.5, 0.5)
    assert len(body["uncovered_buildings"]) == 1
    assert (
        api(world.regulator).get(f"/api/v1/party/coverage?compound={world.a.pk}").status_code == 200
    )
    assert (
        api(world.resident_a).get(f"/api/v1/party/coverage?compound={world.a.pk}").status_code
        == 403
    )
    assert (
        api(world.outsider_b).get(f"/api/v1/party/coverage?compound={world.a.pk}").status_code
        == 404
    )
    r = api(world.secretary_a).get("/api/v1/party/coverage")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "compound"


def test_only_the_secretary_manages_and_nothing_changes_when_denied(world, api, branch):
    zhang = world.home.residents.get()
    body = {"branch": branch.pk, "resident": zhang.pk, "role": "committee"}
    r = api(world.manager_a).post("/api/v1/party/members", body, content_type="application/json")
    assert r.status_code == 403
    r = api(world.outsider_b).post("/api/v1/party/members", body, content_type="application/json")
    assert r.status_code == 404
    assert not Member.objects.exists()
    r = api(world.secretary_a).post("/api/v1/party/members", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["role"] == "committee"
    again = api(world.secretary_a).post(
        "/api/v1/party/members", body, content_type="application/json"
    )
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "person"
    member_id = r.json()["id"]
    url = f"/api/v1/party/members/{member_id}/responsibilities"
    r = api(world.secretary_a).post(
        url, {"household": world.b_home.pk}, content_type="application/json"
    )
    assert r.status_code == 404  # B's household is not the secretary's to see
    r = api(world.secretary_a).post(url, {}, content_type="application/json")
    assert r.status_code == 422
    r = api(world.secretary_a).post(
        url, {"building": world.home.building_id}, content_type="application/json"
    )
    assert r.status_code == 201
    resp_id = r.json()["id"]
    assert (
        api(world.manager_a).delete(f"/api/v1/party/responsibilities/{resp_id}").status_code == 403
    )
    assert (
        api(world.secretary_a).delete(f"/api/v1/party/responsibilities/{resp_id}").status_code
        == 204
    )
    assert not Responsibility.objects.exists()


def test_members_of_another_compound_cannot_join(world, branch):
    b_resident = make_resident(world.b_home, "王芳二")
    with pytest.raises(Exception) as err:
        services.member_add(actor=world.secretary_a, branch=branch, resident=b_resident)
    assert "person" in str(err.value)


def test_teams_activities_and_service_hours(world, api, members):
    zhang, guard = members
    with time_machine.travel(T0, tick=False):
        r = api(world.secretary_a).post(
            "/api/v1/party/teams",
            {
                "branch": zhang.branch_id,
                "compound": world.a.pk,
                "name": "防汛突击队",
                "kind": "shock",
                "campaign": "flood_watch",
                "starts_on": "2025-03-01",
                "leader": guard.pk,
                "duty": "值守车库",
            },
            content_type="application/json",
        )
        assert r.status_code == 201 and r.json()["members"][0]["name"] == "赵保安"
        team = r.json()["id"]
        r = api(world.secretary_a).post(
            f"/api/v1/party/teams/{team}/members",
            {"member": zhang.pk, "duty": "巡查"},
            content_type="application/json",
        )
        assert len(r.json()["members"]) == 2
        bad = api(world.secretary_a).post(
            "/api/v1/party/teams",
            {
                "branch": zhang.branch_id,
                "compound": world.a.pk,
                "name": "x",
                "kind": "shock",
                "campaign": "flood_watch",
                "starts_on": "2025-03-10",
                "ends_on": "2025-03-01",
            },
            content_type="application/json",
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "ends_on"

        last_month = (
            api(world.secretary_a)
            .post(
                "/api/v1/party/activities",
                {
                    "branch": zhang.branch_id,
                    "compound": world.a.pk,
                    "title": "二月主题党日",
                    "kind": "theme_day",
                    "held_at": "2025-02-25T09:00:00+08:00",
                },
                content_type="application/json",
            )
            .json()
        )
        this_month = (
            api(world.secretary_a)
            .post(
                "/api/v1/party/activities",
                {
                    "branch": zhang.branch_id,
                    "compound": world.a.pk,
                    "title": "清理楼道",
                    "kind": "service_day",
                    "held_at": "2025-03-08T14:00:00+08:00",
                },
                content_type="application/json",
            )
            .json()
        )
        for activity, hours in ((last_month, "2"), (this_month, "3.5")):
            for m in (zhang, guard):
                r = api(world.secretary_a).post(
                    f"/api/v1/party/activities/{activity['id']}/attendance",
                    {"member": m.pk, "hours": hours},
                    content_type="application/json",
                )
                assert r.status_code == 200
        r = api(world.secretary_a).post(
            f"/api/v1/party/activities/{this_month['id']}/attendance",
            {"member": zhang.pk, "hours": 30},
            content_type="application/json",
        )
        assert r.status_code == 422
        assert selectors.service_hours_month(world.a) == Decimal("7.0")
        cov = api(world.secretary_a).get(f"/api/v1/party/coverage?compound={world.a.pk}").json()
        assert Decimal(str(cov["service_hours_month"])) == Decimal("7.0")


def test_badge_only_for_members_who_show_it(world, members):
    zhang, guard = members
    Member.objects.filter(pk=zhang.pk).update(show_badge=False)
    ids = selectors.badge_user_ids([world.resident_a.pk, world.staff_a.pk, world.manager_a.pk])
    assert ids == {world.staff_a.pk}


def test_party_pages(world, login, members):
    zhang, guard = members
    client = login(world.secretary_a)
    for url in [
        "/console/party/",
        "/console/party/coverage/",
        "/console/party/members/",
        "/console/party/teams/",
        "/console/party/activities/",
    ]:
        page = client.get(url)
        assert page.status_code == 200, url
    r = client.post(
        "/console/party/coverage/assign/",
        {"compound": world.a.pk, "member": zhang.pk, "target": f"b{world.home.building_id}"},
    )
    assert r.status_code == 302
    assert "已覆盖" in client.get("/console/party/coverage/").content.decode()
    r = client.post(
        "/console/party/teams/new/",
        {
            "compound": world.a.pk,
            "branch": zhang.branch_id,
            "name": "",
            "kind": "vanguard",
            "campaign": "night_patrol",
            "starts_on": "2025-03-01",
        },
    )
    assert r.status_code == 422 and "请填写队伍名称" in r.content.decode()
    r = client.post(
        "/console/party/activities/new/",
        {
            "compound": world.a.pk,
            "branch": zhang.branch_id,
            "title": "主题党日",
            "kind": "theme_day",
            "held_at": "2025-03-08T09:00",
        },
    )
    assert r.status_code == 302
    activity = r["Location"].rstrip("/").split("/")[-1]
    r = client.post(
        f"/console/party/activities/{activity}/attendance/",
        {"present": [zhang.pk, guard.pk], f"hours_{zhang.pk}": "2", f"hours_{guard.pk}": "abc"},
    )
    assert r.status_code == 422
    from wanjia.party.models import Attendance

    assert not Attendance.objects.exists()  # all or nothing
    assert login(world.manager_a).get("/console/party/").status_code == 200
    assert login(world.resident_a).get("/console/party/").status_code == 403
    assert login(world.outsider_b).get(f"/console/party/?compound={world.a.pk}").status_code == 404
    r = login(world.manager_a).post(
        "/console/party/coverage/assign/",
        {"compound": world.a.pk, "member": zhang.pk, "target": f"b{world.home.building_id}"},
    )
    assert r.status_code == 403


def test_branch_shared_by_two_compounds(world):
    shared = Branch.objects.create(name="联合党支部")
    shared.compounds.add(world.a, world.b)
    assert list(selectors.branches_visible_to(world.manager_a)) == [shared]
    assert list(selectors.branches_visible_to(world.outsider_b)) == [shared]


def test_members_page_by_page_and_bounded_paging(world, api, members):
    client = api(world.secretary_a)
    first = client.get("/api/v1/party/members?limit=1").json()
    second = client.get("/api/v1/party/members?limit=1&offset=1").json()
    assert first["count"] == second["count"] == 2
    assert len(first["items"]) == len(second["items"]) == 1
    assert first["items"][0]["id"] != second["items"][0]["id"]
    for query in ("limit=0", "limit=201", "offset=-1", f"offset={10**9 + 1}"):
        r = client.get(f"/api/v1/party/members?{query}")
        assert r.status_code == 422, query


@pytest.mark.parametrize(
    "change, field",
    [
        ({"branch": 0}, "branch"),
        ({"branch": 2**63}, "branch"),
        ({"branch": True}, "branch"),  # not read as branch 1
        ({"name": "队" * 101}, "name"),
        ({"name": "护绿\x00队"}, "name"),
        ({"starts_on": 0}, "starts_on"),  # not a Unix timestamp
        ({"starts_on": "0001-01-01"}, "starts_on"),
    ],
)
def test_bad_team_input_is_422_on_the_field(world, api, branch, change, field):
    body = {
        "branch": branch.pk,
        "compound": world.a.pk,
        "name": "护绿队",
        "kind": "vanguard",
        "campaign": "care",
        "starts_on": "2025-03-01",
        **change,
    }
    r = api(world.secretary_a).post("/api/v1/party/teams", body, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.content
    assert not Team.objects.exists()


def test_a_body_not_an_object_or_an_id_out_of_range_is_422(world, api, members):
    client = api(world.secretary_a)
    zhang, _guard = members
    r = client.patch(f"/api/v1/party/members/{zhang.pk}", [], content_type="application/json")
    assert r.status_code == 422
    r = client.delete(f"/api/v1/party/responsibilities/{2**63}")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "resp_id"


def _party_get_urls(world, members, activity_id):
    zhang, _guard = members
    a = world.a.pk
    return [
        f"/api/v1/party/coverage?compound={a}",
        "/api/v1/party/branches",
        "/api/v1/party/members",
        f"/api/v1/party/members?compound={a}",
        "/api/v1/party/teams",
        f"/api/v1/party/teams?compound={a}",
        "/api/v1/party/activities",
        f"/api/v1/party/activities?compound={a}",
        f"/console/party/?compound={a}",
        f"/console/party/coverage/?compound={a}",
        f"/console/party/members/?compound={a}",
        f"/console/party/teams/?compound={a}",
        f"/console/party/activities/?compound={a}",
        f"/console/party/activities/{activity_id}/",
    ]


@pytest.mark.parametrize("persona", ["company_admin_a", "regulator", "manager_a", "leader_a"])
def test_every_viewer_role_opens_every_party_endpoint(world, api, login, members, persona):
    """Company- and region-scoped roles reach party data through a branch's M2M
    ``compounds``: scope_q once built a ``compounds___`` lookup (FieldError, 500)."""
    zhang, _guard = members
    activity = services.activity_create(
        actor=world.secretary_a,
        compound=world.a,
        branch=zhang.branch,
        title="主题党日",
        kind="theme_day",
        held_at=T0,
    )
    user = getattr(world, persona)
    by_api, by_page = api(user), login(user)
    for url in _party_get_urls(world, members, activity.pk):
        client = by_api if url.startswith("/api/") else by_page
        r = client.get(url)
        assert r.status_code == 200, (persona, url, r.status_code)
    branches = by_api.get("/api/v1/party/branches").json()["items"]
    assert [b["id"] for b in branches] == [zhang.branch_id]
    # who may only look is refused writes with 403, never 500
    body = {"branch": zhang.branch_id, "resident": world.other_home.residents.get().pk}
    r = by_api.post("/api/v1/party/members", body, content_type="application/json")
    assert r.status_code == 403


def test_member_register_pages_with_the_total(world, members, login, monkeypatch):
    """The register (在册党员) pages, and its pager says how many are on it."""
    import importlib

    from django.urls import reverse

    monkeypatch.setattr(
        importlib.import_module("wanjia.party.views.members"), "MEMBERS_PER_PAGE", 1
    )
    client = login(world.secretary_a)
    url = reverse("party_members") + f"?compound={world.a.pk}"
    first = client.get(url).content.decode()
    second = client.get(url + "&page=2").content.decode()
    assert 'data-total="2"' in first and 'rel="next"' in first and "在册党员" in first
    names = {n for n in ("张伟", "赵保安") if f"<b>{n}</b>" in first}
    names |= {n for n in ("张伟", "赵保安") if f"<b>{n}</b>" in second}
    assert names == {"张伟", "赵保安"}


def test_member_register_costs_the_same_queries_for_more_members(world, members, login):
    """Each member's home label read its building once per row (N+1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from wanjia.estates.testing import make_resident

    client = login(world.secretary_a)
    url = reverse("party_members") + f"?compound={world.a.pk}"

    def cost():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = cost()
    branch = members[0].branch
    for n, home in enumerate(world.a.households.order_by("-id")[:3]):
        person = make_resident(home, f"新党员{n}", is_party_member=True)
        services.member_add(actor=world.secretary_a, branch=branch, resident=person)
    assert cost() == before
