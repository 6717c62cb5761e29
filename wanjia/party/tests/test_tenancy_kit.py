"""The party layer's URLs (console pages and API) through the kernel's tenancy
kit. Each compound gets a branch, a member with a responsibility, a team, an
activity and a resident who is not yet a member."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from wanjia.core.roles import Role
from wanjia.core.testkit import Endpoint, cases, check, is_missing
from wanjia.estates.testing import grant, make_resident, make_user
from wanjia.party import services
from wanjia.party.models import (
    Activity,
    Attendance,
    Branch,
    Member,
    Responsibility,
    Team,
    TeamMember,
)

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
A_PEOPLE = (
    "resident_a",
    "manager_a",
    "leader_a",
    "secretary_a",
    "staff_a",
    "volunteer_a",
    "company_admin_a",
)
EVERYONE = (*A_PEOPLE, "outsider_b", "regulator")
# party.view: who runs or supervises the compound; party.manage: the secretary
VIEW = ("manager_a", "leader_a", "secretary_a", "company_admin_a", "regulator")
NO_VIEW = ("resident_a", "staff_a", "volunteer_a")
VIEW_ONLY = ("manager_a", "leader_a", "company_admin_a", "regulator")
MANAGE = ("secretary_a",)


def _side(secretary, compound, home, newcomer_home):
    branch = services.branch_create(
        actor=secretary, name=f"{compound.name}党支部", compounds=[compound]
    )
    member = services.member_add(actor=secretary, branch=branch, resident=home.residents.get())
    resp = services.responsibility_assign(actor=secretary, member=member, building=home.building)
    team = services.team_create(
        actor=secretary,
        branch=branch,
        compound=compound,
        name="先锋队",
        kind="vanguard",
        campaign="care",
        starts_on=date(2025, 3, 1),
    )
    activity = services.activity_create(
        actor=secretary,
        branch=branch,
        compound=compound,
        title="主题党日",
        kind="theme_day",
        held_at=datetime(2025, 3, 20, 9, tzinfo=TZ),
    )
    newcomer = make_resident(newcomer_home, "赵新")
    return SimpleNamespace(
        compound=compound,
        branch=branch,
        member=member,
        resp=resp,
        team=team,
        activity=activity,
        newcomer=newcomer,
    )


@pytest.fixture(scope="module")
def party_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock():
        secretary_b = grant(make_user("sec_b"), Role.PARTY_SECRETARY, w.b)
        other_b = w.b.households.exclude(pk=w.b_home.pk).order_by("id").first()
        w.party = {
            "a": _side(w.secretary_a, w.a, w.home, w.other_home),
            "b": _side(secretary_b, w.b, w.b_home, other_b),
        }
    return w


def _of(name):
    """The factory of one party object of compound A or B."""
    return lambda world, side: getattr(world.party[side], name)


def compound(world, side):
    return world.a if side == "a" else world.b


def _party(world, obj):
    """The party objects of the compound ``obj`` is (or belongs to, or of the branch)."""
    if isinstance(obj, Branch):
        return next(p for p in world.party.values() if p.branch.pk == obj.pk)
    compound_id = obj.pk if hasattr(obj, "community_id") else obj.compound_id
    return next(p for p in world.party.values() if p.compound.pk == compound_id)


def count(model, **by):
    def state(world, obj):
        return model.objects.filter(**{k: getattr(obj, v) for k, v in by.items()}).count()

    return state


def member_row(world, obj):
    return tuple(Member.objects.filter(pk=obj.pk).values_list("role", "status", "show_badge"))


def responsibilities(world, obj):
    return sorted(Responsibility.objects.filter(member_id=obj.pk).values_list("id", flat=True))


def team_members(world, obj):
    return sorted(TeamMember.objects.filter(team_id=obj.pk).values_list("member_id", flat=True))


def attendance(world, obj):
    return sorted(Attendance.objects.filter(activity_id=obj.pk).values_list("member_id", flat=True))


def in_compound(build):
    """A body naming compound ``obj`` (or the missing id) plus what ``build``
    adds from that compound's party objects."""

    def body(world, obj):
        if is_missing(obj):
            return {"compound": obj.pk, **build(world.party["a"])}
        return {"compound": obj.pk, **build(_party(world, obj))}

    return body


BRANCH = in_compound(lambda p: {"name": "第二支部"})
MEMBER = in_compound(lambda p: {"branch": p.branch.pk, "person": f"r{p.newcomer.pk}"})
TEAM = in_compound(
    lambda p: {
        "branch": p.branch.pk,
        "name": "突击队",
        "kind": "shock",
        "campaign": "flood_watch",
        "starts_on": "2025-06-01",
    }
)
ACTIVITY = in_compound(
    lambda p: {
        "branch": p.branch.pk,
        "title": "志愿服务日",
        "kind": "service_day",
        "held_at": "2025-04-01T09:00",
    }
)


def page(name, section):
    return Endpoint(
        name,
        lambda o, s=section: f"/console/party/{s}?compound={o.pk}",
        allowed=VIEW,
        forbidden=NO_VIEW,
        obj=compound,
    )


def api_body(build):
    """A JSON body built from the party objects of ``obj``'s compound."""
    return lambda world, obj: build(_party(world, obj), obj)


ENDPOINTS = [
    # ---- console pages (the compound is a query parameter)
    page("party_home", ""),
    page("party_coverage", "coverage/"),
    page("party_members", "members/"),
    page("party_teams", "teams/"),
    page("party_activities", "activities/"),
    Endpoint(
        "party_activity",
        "/console/party/activities/{pk}/",
        allowed=VIEW,
        hidden=NO_VIEW,
        obj=_of("activity"),
    ),
    # ---- console writes (the compound travels in the form)
    Endpoint(
        "party_branch_new",
        "/console/party/branches/new/",
        method="post",
        body=BRANCH,
        id_in_body=True,
        allowed=MANAGE,
        forbidden=(*NO_VIEW, *VIEW_ONLY),
        obj=compound,
        state=lambda world, obj: Branch.objects.filter(compounds=obj).count(),
    ),
    Endpoint(
        "party_member_add",
        "/console/party/members/add/",
        method="post",
        body=MEMBER,
        id_in_body=True,
        allowed=MANAGE,
        forbidden=(*NO_VIEW, *VIEW_ONLY),
        obj=compound,
        state=count(Member, compound_id="pk"),
    ),
    Endpoint(
        "party_member_edit",
        "/console/party/members/{pk}/",
        method="post",
        body={"role": "committee", "status": "full"},
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=_of("member"),
        state=member_row,
    ),
    Endpoint(
        "party_assign",
        "/console/party/coverage/assign/",
        method="post",
        body=lambda world, obj: {
            "compound": obj.compound_id,
            "member": obj.pk,
            "target": "" if is_missing(obj) else f"h{obj.resident.household_id}",
        },
        id_in_body=True,
        allowed=MANAGE,
        forbidden=(*NO_VIEW, *VIEW_ONLY),
        obj=_of("member"),
        state=responsibilities,
    ),
    Endpoint(
        "party_responsibility_remove",
        "/console/party/responsibilities/{pk}/remove/",
        method="post",
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=_of("resp"),
        state=lambda world, obj: Responsibility.objects.filter(pk=obj.pk).exists(),
    ),
    Endpoint(
        "party_team_new",
        "/console/party/teams/new/",
        method="post",
        body=TEAM,
        id_in_body=True,
        allowed=MANAGE,
        forbidden=(*NO_VIEW, *VIEW_ONLY),
        obj=compound,
        state=count(Team, compound_id="pk"),
    ),
    Endpoint(
        "party_team_join",
        "/console/party/teams/{pk}/members/",
        method="post",
        body=lambda world, obj: {"member": _party(world, obj).member.pk},
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=_of("team"),
        state=team_members,
    ),
    Endpoint(
        "party_activity_new",
        "/console/party/activities/new/",
        method="post",
        body=ACTIVITY,
        id_in_body=True,
        allowed=MANAGE,
        forbidden=(*NO_VIEW, *VIEW_ONLY),
        obj=compound,
        state=count(Activity, compound_id="pk"),
    ),
    Endpoint(
        "party_attendance",
        "/console/party/activities/{pk}/attendance/",
        method="post",
        body=lambda world, obj: {
            "present": _party(world, obj).member.pk,
            f"hours_{_party(world, obj).member.pk}": "2",
        },
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=_of("activity"),
        state=attendance,
    ),
    # ---- API
    Endpoint(
        "api_party_coverage",
        "/api/v1/party/coverage?compound={pk}",
        api=True,
        allowed=VIEW,
        forbidden=NO_VIEW,
        obj=compound,
    ),
    Endpoint("api_party_branches", "/api/v1/party/branches", api=True, allowed=EVERYONE),
    Endpoint("api_party_members", "/api/v1/party/members", api=True, allowed=EVERYONE),
    Endpoint("api_party_teams", "/api/v1/party/teams", api=True, allowed=EVERYONE),
    Endpoint("api_party_activities", "/api/v1/party/activities", api=True, allowed=EVERYONE),
    Endpoint(
        "api_member_create",
        "/api/v1/party/members",
        method="post",
        api=True,
        body=lambda world, obj: {
            "branch": obj.pk,
            "resident": world.party["a"].newcomer.pk
            if is_missing(obj)
            else _party(world, obj).newcomer.pk,
        },
        id_in_body=True,
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=_of("branch"),
        state=lambda world, obj: Member.objects.filter(branch_id=obj.pk).count(),
    ),
    Endpoint(
        "api_member_update",
        "/api/v1/party/members/{pk}",
        method="patch",
        api=True,
        body={"role": "committee"},
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=_of("member"),
        state=member_row,
    ),
    Endpoint(
        "api_responsibility_create",
        "/api/v1/party/members/{pk}/responsibilities",
        method="post",
        api=True,
        body=lambda world, obj: {"household": obj.resident.household_id},
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=_of("member"),
        state=responsibilities,
    ),
    Endpoint(
        "api_responsibility_delete",
        "/api/v1/party/responsibilities/{pk}",
        method="delete",
        api=True,
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=_of("resp"),
        state=lambda world, obj: Responsibility.objects.filter(pk=obj.pk).exists(),
    ),
    Endpoint(
        "api_team_create",
        "/api/v1/party/teams",
        method="post",
        api=True,
        body=lambda world, obj: {
            "branch": world.party["a"].branch.pk
            if is_missing(obj)
            else _party(world, obj).branch.pk,
            "compound": obj.pk,
            "name": "突击队",
            "kind": "shock",
            "campaign": "flood_watch",
            "starts_on": "2025-06-01",
        },
        id_in_body=True,
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=compound,
        state=count(Team, compound_id="pk"),
    ),
    Endpoint(
        "api_team_member_create",
        "/api/v1/party/teams/{pk}/members",
        method="post",
        api=True,
        body=lambda world, obj: {"member": _party(world, obj).member.pk},
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=_of("team"),
        state=team_members,
    ),
    Endpoint(
        "api_activity_create",
        "/api/v1/party/activities",
        method="post",
        api=True,
        body=lambda world, obj: {
            "branch": world.party["a"].branch.pk
            if is_missing(obj)
            else _party(world, obj).branch.pk,
            "compound": obj.pk,
            "title": "志愿服务日",
            "kind": "service_day",
            "held_at": "2025-04-01T09:00:00+08:00",
        },
        id_in_body=True,
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=compound,
        state=count(Activity, compound_id="pk"),
    ),
    Endpoint(
        "api_attendance_create",
        "/api/v1/party/activities/{pk}/attendance",
        method="post",
        api=True,
        body=lambda world, obj: {"member": _party(world, obj).member.pk, "hours": "2"},
        allowed=MANAGE,
        forbidden=VIEW_ONLY,
        hidden=NO_VIEW,
        obj=_of("activity"),
        state=attendance,
    ),
]


@pytest.mark.parametrize("case", cases("party", ENDPOINTS))
def test_tenancy(case, party_world, login, api):
    check(case, party_world, login, api)
