"""Case endpoints: intake, list, detail and every action on a case."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja.pagination import paginate

from wanjia.core.schemas import (
    COMMON_ERRORS,
    DateTime,
    Id,
    InputSchema,
    Int,
    Paging,
    Rendered,
    Text,
)
from wanjia.estates.selectors import compounds_visible_to, get_or_404

from .. import selectors, services
from ..models import Category, Level, Risk, Status
from .common import (
    MAX_PARTIES,
    CaseDetailOut,
    CaseOut,
    PartyOut,
    SessionOut,
    _party,
    case_detail_out,
    case_out,
    router,
)

# operation ids as published before the router became a package (wanjia.api)
OPERATION_MODULE = "wanjia.disputes.api"


class CaseIn(InputSchema):
    category: Category
    summary: Text(2000)
    building: Id | None = None
    parties: list[Id] = Field(
        default_factory=list, max_length=MAX_PARTIES, description="household ids of the parties"
    )
    company: bool = Field(False, description="the property company is a party")
    risk: Risk = Risk.BLUE
    compound: Id | None = Field(None, description="needed only when no building says it")
    sweep: Id | None = Field(None, description="the screening sweep that found it")


class CaseFilter(Schema):
    compound: Id | None = None
    building: Id | None = None
    level: Level | None = None
    status: Status | None = None
    risk: Risk | None = None
    category: Category | None = None
    open: bool | None = None
    mine: bool = False


def _intake_compound(user, payload: CaseIn, building, sweep):
    if sweep is not None:
        return sweep.compound
    if building is not None:
        return building.compound
    if payload.compound is not None:
        return get_or_404(compounds_visible_to(user), pk=payload.compound)
    compound = selectors.own_compound(user) or selectors.only_visible_compound(user)
    if compound is not None:
        return compound
    raise ValidationError({"compound": _("请选择小区。")})


@router.post("/cases", response={201: CaseOut, **COMMON_ERRORS})
def case_create(request, payload: CaseIn):
    from wanjia.estates.selectors import buildings_visible_to

    user = request.auth
    sweep = (
        get_or_404(selectors.sweeps_visible_to(user), pk=payload.sweep) if payload.sweep else None
    )
    building = (
        get_or_404(buildings_visible_to(user), pk=payload.building) if payload.building else None
    )
    compound = _intake_compound(user, payload, building, sweep)
    households = selectors.households_in(compound, payload.parties)
    if len(households) != len(set(payload.parties)):
        raise ValidationError({"parties": _("当事住户须是本小区住户。")})
    case = services.case_open(
        actor=user,
        compound=compound,
        category=payload.category,
        summary=payload.summary,
        building=building,
        households=households,
        company_party=payload.company,
        risk=payload.risk,
        sweep=sweep,
    )
    return 201, case_out(case)


@router.get("/cases", response={200: list[CaseOut], **COMMON_ERRORS})
@paginate(Paging)
def case_list(request, filters: Query[CaseFilter]):
    user = request.auth
    fields = ("compound", "building", "level", "status", "risk", "category")
    qs = selectors.cases_listed(
        user,
        mine=filters.mine,
        open=filters.open,
        **{name: getattr(filters, name) for name in fields},
    )
    return Rendered(qs, case_out)


def _case(request, case_id: Id):
    return get_or_404(selectors.cases_visible_to(request.auth), pk=case_id)


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **COMMON_ERRORS})
def case_detail(request, case_id: Id):
    return case_detail_out(_case(request, case_id), request.auth)


class EscalateIn(InputSchema):
    reason: Text(300) = ""


@router.post("/cases/{case_id}/escalate", response={200: CaseOut, **COMMON_ERRORS})
def case_escalate(request, case_id: Id, payload: EscalateIn | None = None):
    case = services.case_escalate(
        actor=request.auth, case=_case(request, case_id), reason=payload.reason if payload else ""
    )
    return case_out(case)


class SessionIn(InputSchema):
    notes: Text(5000)
    held_at: DateTime | None = None
    place: Text(100) = ""
    attendees: Text(300) = ""


@router.post("/cases/{case_id}/sessions", response={201: SessionOut, **COMMON_ERRORS})
def session_create(request, case_id: Id, payload: SessionIn):
    held_at = payload.held_at
    if held_at is not None and timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    s = services.session_add(
        actor=request.auth,
        case=_case(request, case_id),
        notes=payload.notes,
        held_at=held_at,
        place=payload.place,
        attendees=payload.attendees,
    )
    return 201, {
        "id": s.pk,
        "level": s.level,
        "held_at": s.held_at,
        "place": s.place,
        "attendees": s.attendees,
        "notes": s.notes,
        "mediator_name": request.auth.name,
    }


class ResolveIn(InputSchema):
    resolution: Text(2000)
    agreement: Text(5000) = ""


@router.post("/cases/{case_id}/resolve", response={200: CaseOut, **COMMON_ERRORS})
def case_resolve(request, case_id: Id, payload: ResolveIn):
    case = services.case_resolve(
        actor=request.auth,
        case=_case(request, case_id),
        resolution=payload.resolution,
        agreement=payload.agreement,
    )
    return case_out(case)


class RatingIn(InputSchema):
    score: Int(1, 5)
    party: Id | None = Field(None, description="needed when a mediator records it for a party")
    comment: Text(500) = ""


@router.post("/cases/{case_id}/rating", response={200: PartyOut, **COMMON_ERRORS})
def case_rating(request, case_id: Id, payload: RatingIn):
    party = services.case_rate(
        actor=request.auth,
        case=_case(request, case_id),
        score=payload.score,
        party_id=payload.party,
        comment=payload.comment,
    )
    return _party(party)


class FollowupIn(InputSchema):
    note: Text(2000)


@router.post("/cases/{case_id}/followup", response={200: CaseOut, **COMMON_ERRORS})
def case_followup(request, case_id: Id, payload: FollowupIn):
    case = services.case_followup(
        actor=request.auth, case=_case(request, case_id), note=payload.note
    )
    return case_out(case)


class ReopenIn(InputSchema):
    reason: Text(300)


@router.post("/cases/{case_id}/reopen", response={200: CaseOut, **COMMON_ERRORS})
def case_reopen(request, case_id: Id, payload: ReopenIn):
    case = services.case_reopen(
        actor=request.auth, case=_case(request, case_id), reason=payload.reason
    )
    return case_out(case)
