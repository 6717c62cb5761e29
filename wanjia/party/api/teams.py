"""Party endpoints: vanguard teams and activities with attendance."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Schema
from ninja.pagination import paginate

from wanjia.core.schemas import (
    COMMON_ERRORS,
    Date,
    DateTime,
    Id,
    InputSchema,
    Paging,
    Rendered,
    Text,
)
from wanjia.estates.selectors import (
    compounds_visible_to,
    get_or_404,
)

from .. import selectors, services
from ..models import (
    ActivityKind,
    Campaign,
    TeamKind,
)
from .common import CompoundFilter, router

# operation ids as published before the router became a package (wanjia.api)
OPERATION_MODULE = "wanjia.party.api"


class TeamMemberOut(Schema):
    member: int
    name: str
    duty: str


class TeamOut(Schema):
    id: int
    branch: int
    compound: int
    name: str
    kind: str
    campaign: str
    leader: int | None
    duty: str
    starts_on: date
    ends_on: date | None
    members: list[TeamMemberOut]


def team_out(t) -> dict:
    return {
        "id": t.pk,
        "branch": t.branch_id,
        "compound": t.compound_id,
        "name": t.name,
        "kind": t.kind,
        "campaign": t.campaign,
        "leader": t.leader_id,
        "duty": t.duty,
        "starts_on": t.starts_on,
        "ends_on": t.ends_on,
        "members": [
            {"member": tm.member_id, "name": tm.member.name, "duty": tm.duty}
            for tm in selectors.team_memberships(t)
        ],
    }


@router.get("/teams", response={200: list[TeamOut], **COMMON_ERRORS})
@paginate(Paging)
def team_list(request, filters: Query[CompoundFilter]):
    return Rendered(selectors.teams_listed(request.auth, compound=filters.compound), team_out)


class TeamIn(InputSchema):
    branch: Id
    compound: Id
    name: Text(100)
    kind: TeamKind
    campaign: Campaign
    starts_on: Date
    ends_on: Date | None = None
    leader: Id | None = None
    duty: Text(200) = ""


@router.post("/teams", response={201: TeamOut, **COMMON_ERRORS})
def team_create(request, payload: TeamIn):
    user = request.auth
    branch = get_or_404(selectors.branches_visible_to(user), pk=payload.branch)
    compound = get_or_404(compounds_visible_to(user), pk=payload.compound)
    leader = (
        get_or_404(selectors.members_visible_to(user), pk=payload.leader)
        if payload.leader
        else None
    )
    team = services.team_create(
        actor=user,
        branch=branch,
        compound=compound,
        name=payload.name,
        kind=payload.kind,
        campaign=payload.campaign,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        leader=leader,
        duty=payload.duty,
    )
    return 201, team_out(team)


class TeamMemberIn(InputSchema):
    member: Id
    duty: Text(100) = ""


@router.post("/teams/{team_id}/members", response={201: TeamOut, **COMMON_ERRORS})
def team_member_create(request, team_id: Id, payload: TeamMemberIn):
    user = request.auth
    team = get_or_404(selectors.teams_visible_to(user), pk=team_id)
    member = get_or_404(selectors.members_visible_to(user), pk=payload.member)
    services.team_member_add(actor=user, team=team, member=member, duty=payload.duty)
    return 201, team_out(team)


class ActivityOut(Schema):
    id: int
    branch: int
    compound: int
    title: str
    kind: str
    held_at: datetime
    place: str
    attendees: int
    hours: Decimal


def activity_out(a) -> dict:
    rows = list(a.attendance.all())
    return {
        "id": a.pk,
        "branch": a.branch_id,
        "compound": a.compound_id,
        "title": a.title,
        "kind": a.kind,
        "held_at": a.held_at,
        "place": a.place,
        "attendees": len(rows),
        "hours": sum((r.hours for r in rows), Decimal("0")),
    }


@router.get("/activities", response={200: list[ActivityOut], **COMMON_ERRORS})
@paginate(Paging)
def activity_list(request, filters: Query[CompoundFilter]):
    qs = selectors.activities_listed_api(request.auth, compound=filters.compound)
    return Rendered(qs, activity_out)


class ActivityIn(InputSchema):
    branch: Id
    compound: Id
    title: Text(100)
    kind: ActivityKind
    held_at: DateTime
    place: Text(100) = ""
    description: Text(2000) = ""


@router.post("/activities", response={201: ActivityOut, **COMMON_ERRORS})
def activity_create(request, payload: ActivityIn):
    user = request.auth
    held_at = payload.held_at
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    activity = services.activity_create(
        actor=user,
        branch=get_or_404(selectors.branches_visible_to(user), pk=payload.branch),
        compound=get_or_404(compounds_visible_to(user), pk=payload.compound),
        title=payload.title,
        kind=payload.kind,
        held_at=held_at,
        place=payload.place,
        description=payload.description,
    )
    return 201, activity_out(activity)


class AttendanceIn(InputSchema):
    member: Id
    hours: Decimal = Field(Decimal("0"), ge=0, le=24, max_digits=4, decimal_places=1)


@router.post("/activities/{activity_id}/attendance", response={200: ActivityOut, **COMMON_ERRORS})
def attendance_create(request, activity_id: Id, payload: AttendanceIn):
    user = request.auth
    activity = get_or_404(selectors.activities_visible_to(user), pk=activity_id)
    member = get_or_404(selectors.members_visible_to(user), pk=payload.member)
    services.attendance_record(actor=user, activity=activity, member=member, hours=payload.hours)
    return activity_out(activity)
