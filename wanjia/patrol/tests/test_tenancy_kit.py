"""The patrol app's URLs (console, phone pages, API) through the kernel's
tenancy kit. Each compound has three checkpoints on a route, tonight's runs and
an incident."""

from datetime import datetime

import pytest
from django.utils import timezone

from wanjia.core.testkit import Endpoint, cases, check, compound_of, item_of, others
from wanjia.patrol import services
from wanjia.patrol.models import Checkpoint, Incident, Outpost, OutpostShift, Run

from .conftest import NIGHT, build_patrol

pytestmark = pytest.mark.django_db

VIEW = ("manager_a", "secretary_a", "company_admin_a", "regulator")
MANAGE = ("manager_a", "company_admin_a")
PATROL = ("staff_a", "volunteer_a", "secretary_a")
SEES = (*VIEW, "staff_a", "volunteer_a")


_not = others


@pytest.fixture(scope="module")
def patrol_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock():
        w.patrol = {}
        for side, compound, manager in (("a", w.a, w.manager_a), ("b", w.b, w.outsider_b)):
            cps, route, schedule = build_patrol(w, compound, manager)
            services.runs_generate_for(schedule, NIGHT, NIGHT + timezone.timedelta(hours=12))
            incident = Incident.objects.create(
                compound=compound,
                reported_by=manager,
                category="water",
                note="积水",
                created_at=timezone.make_aware(datetime(2026, 3, 10, 23)),
            )
            w.patrol[side] = {
                "checkpoint": cps[0],
                "run": Run.objects.filter(route=route).first(),
                "incident": incident,
            }
            outpost = Outpost.objects.create(compound=compound, name="北门岗")
            w.patrol[side]["outpost"] = outpost
            w.patrol[side]["shift"] = OutpostShift.objects.create(
                outpost=outpost,
                user=w.volunteer_a if side == "a" else manager,
                starts_at=timezone.make_aware(datetime(2026, 3, 10, 22)),
                ends_at=timezone.make_aware(datetime(2026, 3, 11, 6)),
            )
    return w


compound = compound_of


def _of(name):
    return item_of("patrol", name)


def retired(world, obj):
    return tuple(Checkpoint.objects.filter(pk=obj.pk).values_list("retired_at", "name"))


def handed(world, obj):
    return tuple(Incident.objects.filter(pk=obj.pk).values_list("handed_to", "handed_ref"))


ENDPOINTS = [
    Endpoint("patrol_home", "/console/patrol/", allowed=VIEW, forbidden=_not(*VIEW)),
    Endpoint(
        "patrol_board",
        "/console/patrol/c/{pk}/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "patrol_checkpoints",
        "/console/patrol/c/{pk}/checkpoints/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "patrol_checkpoints_post",
        "/console/patrol/c/{pk}/checkpoints/",
        method="post",
        body={"name": "西门", "kind": "gate", "x": "80", "y": "90", "radius_m": "30"},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
        state=lambda w, o: Checkpoint.objects.filter(compound_id=o.pk).count(),
    ),
    Endpoint(
        "patrol_routes",
        "/console/patrol/c/{pk}/routes/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "patrol_qr_sheet",
        "/console/patrol/c/{pk}/qr/",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
    ),
    Endpoint(
        "patrol_checkpoint",
        "/console/patrol/checkpoints/{pk}/",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("checkpoint"),
    ),
    Endpoint(
        "patrol_checkpoint_retire",
        "/console/patrol/checkpoints/{pk}/retire/",
        method="post",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("checkpoint"),
        state=retired,
    ),
    Endpoint(
        "patrol_run",
        "/console/patrol/runs/{pk}/",
        allowed=SEES,
        forbidden=_not(*SEES),
        obj=_of("run"),
    ),
    Endpoint(
        "patrol_incident_to_case",
        "/console/patrol/incidents/{pk}/to-case/",
        method="post",
        allowed=("manager_a", "company_admin_a", "secretary_a"),
        forbidden=_not("manager_a", "company_admin_a", "secretary_a"),
        obj=_of("incident"),
        state=handed,
    ),
    Endpoint(
        "patrol_incident_to_ticket",
        "/console/patrol/incidents/{pk}/to-ticket/",
        method="post",
        allowed=("manager_a", "company_admin_a", "secretary_a"),
        forbidden=_not("manager_a", "company_admin_a", "secretary_a"),
        obj=_of("incident"),
        state=handed,
    ),
    Endpoint("patrol_h5_round", "/h5/patrol/", allowed=PATROL, forbidden=_not(*PATROL)),
    Endpoint("patrol_h5_incident", "/h5/patrol/incident/", allowed=PATROL, forbidden=_not(*PATROL)),
    Endpoint(
        "api_checkpoints",
        "/api/v1/patrol/checkpoints?compound={pk}",
        api=True,
        allowed=SEES,
        forbidden=_not(*SEES),
        obj=compound,
    ),
    Endpoint(
        "api_checkpoint_qr",
        "/api/v1/patrol/checkpoints/{pk}/qr",
        api=True,
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("checkpoint"),
    ),
    Endpoint(
        "api_runs",
        "/api/v1/patrol/runs?compound={pk}&date=2026-03-10",
        api=True,
        allowed=SEES,
        forbidden=_not(*SEES),
        obj=compound,
    ),
]


# ---- rosters (views/roster.py, api_roster.py): a team and a roster job per compound,
# made inside each case (rolled back with it)


def _with_team(world, side):
    from wanjia.core.roles import Role
    from wanjia.core.testing import grant, make_user
    from wanjia.patrol.models import Team, TeamMember

    c = compound(world, side)
    if not Team.objects.filter(compound=c).exists():
        team = Team.objects.create(compound=c, name="巡逻队")
        guard = world.staff_a if side == "a" else grant(make_user(), Role.STAFF, c)
        TeamMember.objects.create(team=team, user=guard)
    return c


def _roster_job(world, side):
    from wanjia.core.jobs import job_create
    from wanjia.patrol.services.rosters import JOB_KIND

    manager = world.manager_a if side == "a" else world.outsider_b
    return job_create(actor=manager, kind=JOB_KIND, compound=compound(world, side))


def _jobs(world, obj):
    from wanjia.core.models import Job

    return Job.objects.filter(compound_id=obj.pk).count()


def _shifts(world, obj):
    from wanjia.patrol.models import RosterShift

    return RosterShift.objects.filter(compound_id=obj.pk).count()


def _today():
    return timezone.localdate().isoformat()


def _leave(world, side):
    from wanjia.patrol.models import Leave, TeamMember

    c = _with_team(world, side)
    members = TeamMember.objects.filter(team__compound=c)
    user_id = members.values_list("user_id", flat=True).first()
    day = timezone.localdate()
    return Leave.objects.create(compound=c, user_id=user_id, start=day, end=day)


def _leave_kept(world, obj):
    from wanjia.patrol.models import Leave

    return Leave.objects.filter(pk=obj.pk).exists()


def _leaves(world, obj):
    from wanjia.patrol.models import Leave

    return Leave.objects.filter(compound_id=obj.pk).count()


def _wish(world, side):
    from wanjia.patrol.models import ShiftWish, TeamMember

    c = _with_team(world, side)
    user_id = TeamMember.objects.filter(team__compound=c).values_list("user_id", flat=True)[0]
    return ShiftWish.objects.create(compound=c, user_id=user_id, weekday=5, shift="night")


def _wish_kept(world, obj):
    from wanjia.patrol.models import ShiftWish

    return ShiftWish.objects.filter(pk=obj.pk).exists()


def _wishes(world, obj):
    from wanjia.patrol.models import ShiftWish

    return ShiftWish.objects.filter(compound_id=obj.pk).count()


def _team(world, side):
    from wanjia.patrol.models import Team

    c = compound(world, side)
    leader = world.secretary_a if side == "a" else world.outsider_b
    return Team.objects.create(compound=c, name="队", leader=leader)


def _team_member(world, side):
    from wanjia.patrol.models import TeamMember

    team = _team(world, side)
    return TeamMember.objects.create(team=team, user=world.staff_a if side == "a" else team.leader)


def _team_state(world, obj):
    from wanjia.patrol.models import Team, TeamMember

    return (
        tuple(Team.objects.order_by("pk").values_list("pk", "name", "leader_id")),
        TeamMember.objects.count(),
    )


def outpost_state(world, obj):
    return tuple(Outpost.objects.filter(compound_id=obj.compound_id).values_list("name", "active"))


def shifts_state(world, obj):
    return tuple(OutpostShift.objects.order_by("pk").values_list("pk", "outpost_id", "user_id"))


def _shift_body(world, obj):
    return {
        "user": str(world.staff_a.pk),
        "starts_at": "2026-03-12T22:00",
        "ends_at": "2026-03-13T02:00",
    }


ENDPOINTS += [
    Endpoint(
        "patrol_roster",
        "/console/patrol/c/{pk}/roster/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=_with_team,
    ),
    Endpoint(
        "patrol_roster_build",
        "/console/patrol/c/{pk}/roster/build/",
        method="post",
        body=lambda w, o: {"start": _today(), "days": "7"},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_with_team,
        state=_jobs,
    ),
    Endpoint(
        "patrol_roster_cell",
        "/console/patrol/c/{pk}/roster/cell/",
        method="post",
        body=lambda w, o: {
            "user": w.staff_a.pk,
            "date": _today(),
            "shift": "night",
            "action": "assign",
        },
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_with_team,
        state=_shifts,
    ),
    Endpoint(
        "patrol_roster_print",
        "/console/patrol/c/{pk}/roster/print/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=_with_team,
    ),
    Endpoint(
        "patrol_roster_xlsx",
        "/console/patrol/c/{pk}/roster.xlsx",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=_with_team,
    ),
    Endpoint(
        "patrol_roster_job",
        "/console/patrol/roster-jobs/{pk}/",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_roster_job,
    ),
    Endpoint(
        "patrol_leave_add",
        "/console/patrol/c/{pk}/roster/leave/",
        method="post",
        body=lambda w, o: {"user": w.staff_a.pk, "start": _today(), "end": _today()},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_with_team,
        state=_leaves,
    ),
    Endpoint(
        "patrol_leave_remove",
        "/console/patrol/leave/{pk}/remove/",
        method="post",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_leave,
        state=_leave_kept,
    ),
    Endpoint(
        "patrol_teams",
        "/console/patrol/c/{pk}/teams/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "patrol_team_create",
        "/console/patrol/c/{pk}/teams/new/",
        method="post",
        body=lambda w, o: {"name": "新队", "leader": w.secretary_a.pk},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
        state=_team_state,
    ),
    Endpoint(
        "patrol_team_edit",
        "/console/patrol/teams/{pk}/",
        method="post",
        body=lambda w, o: {"name": "改名", "leader": w.secretary_a.pk},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_team,
        state=_team_state,
    ),
    Endpoint(
        "patrol_team_member_add",
        "/console/patrol/teams/{pk}/members/",
        method="post",
        body=lambda w, o: {"user": w.volunteer_a.pk, "role": "volunteer"},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_team,
        state=_team_state,
    ),
    Endpoint(
        "patrol_team_member_remove",
        "/console/patrol/team-members/{pk}/remove/",
        method="post",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_team_member,
        state=_team_state,
    ),
    Endpoint(
        "patrol_wish_add",
        "/console/patrol/c/{pk}/roster/wish/",
        method="post",
        body=lambda w, o: {"user": w.staff_a.pk, "weekday": "5", "shift": "night", "wants": "0"},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_with_team,
        state=_wishes,
    ),
    Endpoint(
        "patrol_wish_remove",
        "/console/patrol/wish/{pk}/remove/",
        method="post",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_wish,
        state=_wish_kept,
    ),
    Endpoint(
        "api_roster_create",
        "/api/v1/patrol/rosters",
        method="post",
        api=True,
        body=lambda w, o: {"compound": o.pk, "start": _today(), "days": 7},
        id_in_body=True,
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_with_team,
        state=_jobs,
    ),
    Endpoint(
        "api_roster_job",
        "/api/v1/patrol/rosters/jobs/{pk}",
        api=True,
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_roster_job,
    ),
    Endpoint(
        "api_roster_list",
        "/api/v1/patrol/rosters?compound={pk}",
        api=True,
        allowed=SEES,
        forbidden=_not(*SEES),
        obj=_with_team,
    ),
    Endpoint(
        "patrol_outposts",
        "/console/patrol/c/{pk}/outposts/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "patrol_outposts_post",
        "/console/patrol/c/{pk}/outposts/",
        method="post",
        body={
            "name": "南门岗",
            "x": "20",
            "y": "80",
            "staffed_from": "20:00",
            "staffed_to": "02:00",
        },
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
        state=lambda w, o: Outpost.objects.filter(compound_id=o.pk).count(),
    ),
    Endpoint(
        "patrol_outpost",
        "/console/patrol/outposts/{pk}/",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("outpost"),
    ),
    Endpoint(
        "patrol_outpost_post",
        "/console/patrol/outposts/{pk}/",
        method="post",
        body={"name": "改名岗", "staffed_from": "21:00", "staffed_to": "05:00"},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("outpost"),
        state=outpost_state,
    ),
    Endpoint(
        "patrol_outpost_retire",
        "/console/patrol/outposts/{pk}/retire/",
        method="post",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("outpost"),
        state=outpost_state,
    ),
    Endpoint(
        "patrol_outpost_shifts",
        "/console/patrol/outposts/{pk}/shifts/",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("outpost"),
    ),
    Endpoint(
        "patrol_outpost_shifts_post",
        "/console/patrol/outposts/{pk}/shifts/",
        method="post",
        body=_shift_body,
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("outpost"),
        state=shifts_state,
    ),
    Endpoint(
        "patrol_outpost_shift_remove",
        "/console/patrol/outpost-shifts/{pk}/remove/",
        method="post",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("shift"),
        state=shifts_state,
    ),
    Endpoint(
        "patrol_timeline",
        "/console/patrol/c/{pk}/timeline/?date=2026-03-10",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "patrol_evidence",
        "/console/patrol/c/{pk}/evidence/?month=2026-03",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "patrol_evidence_xlsx",
        "/console/patrol/c/{pk}/evidence.xlsx?month=2026-03",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
]


@pytest.mark.parametrize("case", cases("patrol", ENDPOINTS))
def test_tenancy(case, patrol_world, login, api):
    check(case, patrol_world, login, api)
