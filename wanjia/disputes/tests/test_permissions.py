"""Who may see and act on a case: the party to it, the mediator, staff who
reported it, an outsider of the same compound, another compound (404), the
regulator (red cases only, never the notes). Denied writes change nothing."""

import pytest

from wanjia.core.roles import Role
from wanjia.disputes import services
from wanjia.disputes.models import Case, CaseEvent, Session
from wanjia.estates.testing import grant, make_user


def _state(case):
    case = Case.objects.get(pk=case.pk)
    return (
        case.level,
        case.status,
        case.mediator_id,
        Session.objects.filter(case=case).count(),
        CaseEvent.objects.filter(case=case).count(),
    )


WRITES = [
    ("escalate", {"reason": "试试"}),
    ("sessions", {"notes": "记录"}),
    ("resolve", {"resolution": "好了"}),
]


@pytest.fixture
def case(world, leak):
    c = leak()
    services.session_add(actor=world.leader_a, case=c, notes="双方情绪激动，约定明天再谈")
    return c


@pytest.mark.parametrize(
    "who, read, write",
    [
        ("resident_a", 200, 403),  # party to the case: reads it, does not mediate it
        ("leader_a", 200, None),  # the mediator
        ("secretary_a", 200, None),  # compound level may step in
        ("manager_a", 200, None),
        ("company_admin_a", 200, None),
        ("staff_a", 404, 404),  # staff who did not report it
        ("volunteer_a", 404, 404),
        ("outsider_b", 404, 404),  # another compound
        ("regulator", 404, 404),  # a blue case at building level is not the city's
        ("neighbour", 404, 404),  # a resident of A who is not a party
    ],
)
def test_case_matrix(world, api, case, neighbour, who, read, write):
    user = neighbour if who == "neighbour" else getattr(world, who)
    client = api(user)
    r = client.get(f"/api/v1/disputes/cases/{case.pk}")
    assert r.status_code == read, r.content
    if read == 200:
        body = r.json()
        can_notes = who in ("leader_a", "secretary_a", "manager_a", "company_admin_a")
        assert (body["sessions"][0]["notes"] is not None) == can_notes
    listed = [c["id"] for c in client.get("/api/v1/disputes/cases").json()["items"]]
    assert (case.pk in listed) == (read == 200)
    if write is None:
        return
    before = _state(case)
    for action, body in WRITES:
        r = client.post(
            f"/api/v1/disputes/cases/{case.pk}/{action}", body, content_type="application/json"
        )
        assert r.status_code == write, (action, r.content)
        assert r.json()["detail"]
    assert _state(case) == before


def test_staff_who_reported_see_it_but_do_not_mediate(world, api):
    case = services.case_open(
        actor=world.staff_a,
        compound=world.a,
        category="shared_space",
        summary="楼道堆放杂物",
        building=world.home.building,
        households=[world.home],
    )
    assert case.source == "staff"
    assert api(world.staff_a).get(f"/api/v1/disputes/cases/{case.pk}").status_code == 200
    r = api(world.staff_a).post(
        f"/api/v1/disputes/cases/{case.pk}/resolve",
        {"resolution": "清走"},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_regulator_sees_red_cases_and_figures_but_not_notes(world, api, leak):
    red = leak(risk="red")
    services.session_add(actor=world.secretary_a, case=red, notes="涉及人身威胁，已报派出所")
    body = api(world.regulator).get(f"/api/v1/disputes/cases/{red.pk}").json()
    assert body["sessions"][0]["notes"] is None
    assert body["followup_note"] is None
    assert body["can_mediate"] is False
    r = api(world.regulator).post(
        f"/api/v1/disputes/cases/{red.pk}/sessions", {"notes": "x"}, content_type="application/json"
    )
    assert r.status_code == 403
    stats = api(world.regulator).get(f"/api/v1/disputes/stats?compound={world.a.pk}")
    assert stats.status_code == 200 and stats.json()["open_red"] == 1


def test_once_at_the_community_the_regulator_mediates_and_reads_notes(world, api, leak):
    case = leak()
    services.case_escalate(actor=world.leader_a, case=case)
    case.refresh_from_db()
    services.case_escalate(actor=world.secretary_a, case=case)
    case.refresh_from_db()
    services.session_add(actor=world.regulator, case=case, notes="社区调委会介入")
    body = api(world.regulator).get(f"/api/v1/disputes/cases/{case.pk}").json()
    assert body["level"] == "community" and body["can_mediate"] is True
    assert body["sessions"][0]["notes"] == "社区调委会介入"
    # the building leader no longer mediates it, but still reads it
    r = api(world.leader_a).post(
        f"/api/v1/disputes/cases/{case.pk}/resolve",
        {"resolution": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_a_leader_of_another_building_does_not_see_it(world, api, leak):
    case = leak()
    other = world.a.buildings.exclude(pk=world.home.building_id).first()
    leader2 = grant(make_user("leader_a2"), Role.BUILDING_LEADER, other)
    assert api(leader2).get(f"/api/v1/disputes/cases/{case.pk}").status_code == 404


def test_a_resident_can_only_report_for_their_own_building(world, api):
    other = world.a.buildings.exclude(pk=world.home.building_id).first()
    r = api(world.resident_a).post(
        "/api/v1/disputes/cases",
        {"category": "noise", "summary": "吵", "building": other.pk},
        content_type="application/json",
    )
    # the other building is outside what a resident may see at all
    assert r.status_code == 404
    assert Case.objects.count() == 0


def test_outsider_cannot_open_a_case_in_another_compound(world, api):
    r = api(world.outsider_b).post(
        "/api/v1/disputes/cases",
        {"category": "noise", "summary": "吵", "building": world.home.building_id},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = api(world.volunteer_a).post(
        "/api/v1/disputes/cases",
        {"category": "noise", "summary": "吵", "compound": world.a.pk, "company": True},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert Case.objects.count() == 0
