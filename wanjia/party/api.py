"""Party endpoints under /api/v1/party: coverage and figures, branches, members,
responsibilities (党员联户), teams and activities."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wanjia.core.roles import CAPABILITIES
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
from wanjia.core.scoping import scope_q
from wanjia.estates.models import Compound, StaffMember
from wanjia.estates.selectors import (
    buildings_visible_to,
    compounds_visible_to,
    get_or_404,
    households_visible_to,
    residents_visible_to,
)

from . import selectors, services
from .models import (
    ActivityKind,
    BranchRole,
    Campaign,
    MemberStatus,
    Responsibility,
    TeamKind,
)

router = Router(tags=["party"])


def party_compound(user, compound_id: int):
    """A compound whose party data ``user`` may read: 404 outside scope, 403 for
    a role without ``party.view``."""
    compound = get_or_404(compounds_visible_to(user), pk=compound_id)
    allowed = Compound.objects.filter(
        scope_q(user, roles=CAPABILITIES["party.view"], compound="id"), pk=compound.pk
    )
    if not allowed.exists():
        raise PermissionDenied
    return compound


class CoverageOut(Schema):
    members: int = Field(..., description="active party members of the compound")
    buildings_covered: float = Field(..., description="0–1")
    households_covered: float = Field(..., description="0–1")
    buildings: int
    households: int
    service_hours_month: Decimal
    uncovered_buildings: list[int]


@router.get("/coverage", response={200: CoverageOut, **COMMON_ERRORS})
def coverage(request, compound: Id):
    c = party_compound(request.auth, compound)
    cov = selectors.coverage(c, with_rows=True)
    return {
        "members": cov.members,
        "buildings_covered": cov.buildings_covered,
        "households_covered": cov.households_covered,
        "buildings": cov.buildings,
        "households": cov.households,
        "service_hours_month": cov.service_hours_month,
        "uncovered_buildings": [r.building.pk for r in cov.rows if not r.covered],
    }


class BranchOut(Schema):
    id: int
    name: str
    compounds: list[int]
    members: int


def branch_out(b) -> dict:
    return {
        "id": b.pk,
        "name": b.name,
        "compounds": [c.pk for c in b.compounds.all()],
        "members": b.members.filter(status__in=("full", "probationary")).count(),
    }


@router.get("/branches", response={200: list[BranchOut], **COMMON_ERRORS})
@paginate(Paging)
def branch_list(request):
    return Rendered(selectors.branches_visible_to(request.auth).order_by("name", "id"), branch_out)


class ResponsibilityOut(Schema):
    id: int
    building: int | None
    household: int | None
    label: str


class MemberOut(Schema):
    id: int
    branch: int
    compound: int
    name: str
    kind: str = Field(..., description="resident or staff")
    role: str
    status: str
    show_badge: bool
    joined_on: date | None
    responsibilities: list[ResponsibilityOut]


def _resp_out(r) -> dict:
    label = r.building.name if r.building_id else r.household.label
    return {"id": r.pk, "building": r.building_id, "household": r.household_id, "label": label}


def member_out(m) -> dict:
    return {
        "id": m.pk,
        "branch": m.branch_id,
        "compound": m.compound_id,
        "name": m.name,
        "kind": "resident" if m.resident_id else "staff",
        "role": m.role,
        "status": m.status,
        "show_badge": m.show_badge,
        "joined_on": m.joined_on,
        "responsibilities": [
            _resp_out(r)
            for r in m.responsibilities.select_related(
                "building", "household__building", "household__unit"
            )
        ],
    }


class MemberFilter(Schema):
    compound: Id | None = None
    status: MemberStatus | None = None


@router.get("/members", response={200: list[MemberOut], **COMMON_ERRORS})
@paginate(Paging)
def member_list(request, filters: Query[MemberFilter]):
    qs = selectors.members_visible_to(request.auth)
    if filters.compound is not None:
        qs = qs.filter(compound_id=filters.compound)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    return Rendered(qs.order_by("compound_id", "name", "id"), member_out)


class MemberIn(InputSchema):
    branch: Id
    resident: Id | None = None
    staff: Id | None = None
    role: BranchRole = BranchRole.MEMBER
    status: MemberStatus = MemberStatus.FULL
    joined_on: Date | None = None
    show_badge: bool = True


def _staff_visible_to(user):
    return StaffMember.objects.filter(scope_q(user, compound="compound_id")).select_related(
        "compound"
    )


@router.post("/members", response={201: MemberOut, **COMMON_ERRORS})
def member_create(request, payload: MemberIn):
    user = request.auth
    branch = get_or_404(selectors.branches_visible_to(user), pk=payload.branch)
    resident = (
        get_or_404(residents_visible_to(user), pk=payload.resident) if payload.resident else None
    )
    staff = get_or_404(_staff_visible_to(user), pk=payload.staff) if payload.staff else None
    member = services.member_add(
        actor=user,
        branch=branch,
        resident=resident,
        staff=staff,
        role=payload.role,
        status=payload.status,
        joined_on=payload.joined_on,
        show_badge=payload.show_badge,
    )
    return 201, member_out(member)


class MemberPatch(InputSchema):
    role: BranchRole | None = None
    status: MemberStatus | None = None
    show_badge: bool | None = None


@router.patch("/members/{member_id}", response={200: MemberOut, **COMMON_ERRORS})
def member_update(request, member_id: Id, payload: MemberPatch):
    member = get_or_404(selectors.members_visible_to(request.auth), pk=member_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return member_out(services.member_update(actor=request.auth, member=member, data=data))


class ResponsibilityIn(InputSchema):
    building: Id | None = None
    household: Id | None = None


@router.post(
    "/members/{member_id}/responsibilities", response={201: ResponsibilityOut, **COMMON_ERRORS}
)
def responsibility_create(request, member_id: Id, payload: ResponsibilityIn):
    user = request.auth
    member = get_or_404(selectors.members_visible_to(user), pk=member_id)
    building = (
        get_or_404(buildings_visible_to(user), pk=payload.building) if payload.building else None
    )
    household = (
        get_or_404(households_visible_to(user), pk=payload.household) if payload.household else None
    )
    resp = services.responsibility_assign(
        actor=user, member=member, building=building, household=household
    )
    return 201, _resp_out(resp)


@router.delete("/responsibilities/{resp_id}", response={204: None, **COMMON_ERRORS})
def responsibility_delete(request, resp_id: Id):
    members = selectors.members_visible_to(request.auth)
    resp = get_or_404(
        Responsibility.objects.filter(member__in=members).select_related("member__compound"),
        pk=resp_id,
    )
    services.responsibility_remove(actor=request.auth, responsibility=resp)
    return 204, None


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
            for tm in t.memberships.select_related("member").order_by("id")
        ],
    }


class CompoundFilter(Schema):
    compound: Id | None = None


@router.get("/teams", response={200: list[TeamOut], **COMMON_ERRORS})
@paginate(Paging)
def team_list(request, filters: Query[CompoundFilter]):
    qs = selectors.teams_visible_to(request.auth)
    if filters.compound is not None:
        qs = qs.filter(compound_id=filters.compound)
    return Rendered(qs.order_by("-starts_on", "id"), team_out)


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
    qs = selectors.activities_visible_to(request.auth).prefetch_related("attendance")
    if filters.compound is not None:
        qs = qs.filter(compound_id=filters.compound)
    return Rendered(qs.order_by("-held_at", "-id"), activity_out)


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
