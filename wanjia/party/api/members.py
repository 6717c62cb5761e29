"""Party endpoints: coverage, branches, members and their responsibilities (党员联户)."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Schema
from ninja.pagination import paginate

from wanjia.core.schemas import (
    COMMON_ERRORS,
    Date,
    Id,
    InputSchema,
    Paging,
    Rendered,
)
from wanjia.estates.selectors import (
    buildings_visible_to,
    get_or_404,
    households_visible_to,
    residents_visible_to,
)

from .. import selectors, services
from ..models import (
    BranchRole,
    MemberStatus,
)
from .common import party_compound, router

# operation ids as published before the router became a package (wanjia.api)
OPERATION_MODULE = "wanjia.party.api"


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
        "members": selectors.branch_member_count(b),
    }


@router.get("/branches", response={200: list[BranchOut], **COMMON_ERRORS})
@paginate(Paging)
def branch_list(request):
    return Rendered(selectors.branches_listed(request.auth), branch_out)


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
        "responsibilities": [_resp_out(r) for r in selectors.member_responsibilities(m)],
    }


class MemberFilter(Schema):
    compound: Id | None = None
    status: MemberStatus | None = None


@router.get("/members", response={200: list[MemberOut], **COMMON_ERRORS})
@paginate(Paging)
def member_list(request, filters: Query[MemberFilter]):
    qs = selectors.members_listed(request.auth, compound=filters.compound, status=filters.status)
    return Rendered(qs, member_out)


class MemberIn(InputSchema):
    branch: Id
    resident: Id | None = None
    staff: Id | None = None
    role: BranchRole = BranchRole.MEMBER
    status: MemberStatus = MemberStatus.FULL
    joined_on: Date | None = None
    show_badge: bool = True


@router.post("/members", response={201: MemberOut, **COMMON_ERRORS})
def member_create(request, payload: MemberIn):
    user = request.auth
    branch = get_or_404(selectors.branches_visible_to(user), pk=payload.branch)
    resident = (
        get_or_404(residents_visible_to(user), pk=payload.resident) if payload.resident else None
    )
    staff = (
        get_or_404(selectors.staff_visible_to(user), pk=payload.staff) if payload.staff else None
    )
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
    resp = selectors.responsibility_for_delete(request.auth, resp_id)
    services.responsibility_remove(actor=request.auth, responsibility=resp)
    return 204, None
