"""Disputes endpoints under /api/v1/disputes. Handlers parse, fetch through a
scoped selector (outside scope → 404), call one service (wrong role → 403)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wanjia.core.schemas import (
    COMMON_ERRORS,
    Date,
    DateTime,
    Id,
    InputSchema,
    Int,
    Paging,
    Rendered,
    Text,
)
from wanjia.estates.models import Household
from wanjia.estates.selectors import compounds_visible_to, get_or_404

from . import access, selectors, services
from .models import DONE_STATUSES, Category, Level, Risk, Status, SweepPeriod

router = Router(tags=["disputes"])

# The households one case may name: a dispute between neighbours, or a whole
# floor against the company, never a compound's worth.
MAX_PARTIES = 50


class PartyOut(Schema):
    id: int
    label: str
    household: int | None
    company: int | None
    satisfaction: int | None
    comment: str
    rated_at: datetime | None


class CaseOut(Schema):
    id: int
    compound: int
    compound_name: str
    building: int | None
    building_name: str
    category: str
    category_label: str
    summary: str
    risk: str
    level: str
    status: str
    source: str
    mediator: int | None
    mediator_name: str
    opened_at: datetime
    due_at: datetime
    hours_left: int | None
    timeouts: int
    resolved_at: datetime | None
    resolved_level: str
    followup_due: date | None
    reopened: int
    parties: list[PartyOut]


class SessionOut(Schema):
    id: int
    level: str
    held_at: datetime
    place: str
    attendees: str
    notes: str | None = Field(None, description="null when the caller may not read notes")
    mediator_name: str


class EventOut(Schema):
    at: datetime
    kind: str
    from_level: str
    to_level: str
    actor_name: str
    mediator_name: str
    reason: str


class CaseDetailOut(CaseOut):
    resolution: str
    agreement: str
    followup_note: str | None
    sessions: list[SessionOut]
    events: list[EventOut]
    can_mediate: bool


def _party(p) -> dict:
    return {
        "id": p.pk,
        "label": p.label,
        "household": p.household_id,
        "company": p.company_id,
        "satisfaction": p.satisfaction,
        "comment": p.comment,
        "rated_at": p.rated_at,
    }


def case_out(case) -> dict:
    left = None
    if case.is_open:
        left = selectors.time_left(case)["hours"]
    return {
        "id": case.pk,
        "compound": case.compound_id,
        "compound_name": case.compound.name,
        "building": case.building_id,
        "building_name": case.building.name if case.building_id else "",
        "category": case.category,
        "category_label": case.get_category_display(),
        "summary": case.summary,
        "risk": case.risk,
        "level": case.level,
        "status": case.status,
        "source": case.source,
        "mediator": case.mediator_id,
        "mediator_name": case.mediator.name if case.mediator_id else "",
        "opened_at": case.opened_at,
        "due_at": case.due_at,
        "hours_left": left,
        "timeouts": case.timeouts,
        "resolved_at": case.resolved_at,
        "resolved_level": case.resolved_level,
        "followup_due": case.followup_due,
        "reopened": case.reopened,
        "parties": [_party(p) for p in case.parties.all()],
    }


def case_detail_out(case, user) -> dict:
    notes = access.can_see_notes(user, case)
    out = case_out(case)
    out.update(
        resolution=case.resolution,
        agreement=case.agreement,
        followup_note=case.followup_note if notes else None,
        can_mediate=access.can_mediate(user, case),
        sessions=[
            {
                "id": s.pk,
                "level": s.level,
                "held_at": s.held_at,
                "place": s.place,
                "attendees": s.attendees,
                "notes": s.notes if notes else None,
                "mediator_name": s.mediator.name if s.mediator_id else "",
            }
            for s in case.sessions.select_related("mediator")
        ],
        events=[
            {
                "at": e.at,
                "kind": e.kind,
                "from_level": e.from_level,
                "to_level": e.to_level,
                "actor_name": e.actor.name if e.actor_id else _("系统"),
                "mediator_name": e.mediator.name if e.mediator_id else "",
                "reason": e.reason,
            }
            for e in case.events.select_related("actor", "mediator")
        ],
    )
    return out


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
    own = Household.objects.filter(pk__in=access.party_households_of(user)).first()
    if own is not None:
        return own.compound
    visible = compounds_visible_to(user)
    if visible.count() == 1:  # a building leader or a one-compound manager
        return visible.first()
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
    households = list(Household.objects.filter(compound=compound, pk__in=payload.parties))
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
    qs = selectors.my_cases(user) if filters.mine else selectors.cases_visible_to(user)
    for name in ("compound", "building", "level", "status", "risk", "category"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{f"{name}_id" if name in ("compound", "building") else name: value})
    if filters.open is not None:
        qs = selectors.open_cases(qs) if filters.open else qs.filter(status__in=DONE_STATUSES)
    return Rendered(qs.prefetch_related("parties").order_by("-opened_at", "-id"), case_out)


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


class StatsFilter(Schema):
    compound: Id | None = None
    since: Date | None = None
    until: Date | None = None


class CategoryStat(Schema):
    category: str
    label: str
    opened: int
    resolved: int
    building_rate: float | None


class StatsOut(Schema):
    resolved: int
    building_rate: float | None = Field(..., description="小事不出楼栋: building ÷ resolved")
    compound_rate: float | None = Field(
        ..., description="大事不出小区: building or compound ÷ resolved"
    )
    median_days: float | None
    overdue: int
    open_red: int
    opened: int
    open_now: int
    satisfaction: float | None
    open_by_level: dict[str, int]
    by_category: list[CategoryStat]
    sweeps_planned: int
    sweeps_done: int


def figure_scope(user, compound_id: int | None):
    """The compounds whose figures to compute: 404 outside scope, 403 for a role
    that may not read figures."""
    allowed = selectors.figure_compounds(user)
    if compound_id is None:
        if not allowed.exists():
            raise PermissionDenied
        return allowed
    compound = get_or_404(compounds_visible_to(user), pk=compound_id)
    if not allowed.filter(pk=compound.pk).exists():
        raise PermissionDenied
    return allowed.filter(pk=compound.pk)


@router.get("/stats", response={200: StatsOut, **COMMON_ERRORS})
def stats(request, filters: Query[StatsFilter]):
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationError({"since": _("开始日期不能晚于结束日期。")})
    compounds = figure_scope(request.auth, filters.compound)
    figures = selectors.figures(compounds, since=filters.since, until=filters.until)
    sweeps = selectors.sweep_completion(compounds)
    out = figures.as_api()
    out.update(
        by_category=figures.by_category,
        sweeps_planned=sweeps["planned"],
        sweeps_done=sweeps["done"],
    )
    return out


class SweepOut(Schema):
    id: int
    compound: int
    building: int
    building_name: str
    period_start: date
    period_end: date
    done_at: datetime | None
    found_nothing: bool
    note: str
    cases: int


def _sweep_out(s) -> dict:
    return {
        "id": s.pk,
        "compound": s.compound_id,
        "building": s.building_id,
        "building_name": s.building.name,
        "period_start": s.period_start,
        "period_end": s.period_end,
        "done_at": s.done_at,
        "found_nothing": s.found_nothing,
        "note": s.note,
        "cases": s.cases.count(),
    }


class SweepFilter(Schema):
    compound: Id | None = None
    mine: bool = False
    current: bool = True


@router.get("/sweeps", response={200: list[SweepOut], **COMMON_ERRORS})
@paginate(Paging)
def sweep_list(request, filters: Query[SweepFilter]):
    user = request.auth
    qs = selectors.my_sweeps(user) if filters.mine else selectors.sweeps_visible_to(user)
    if filters.compound is not None:
        qs = qs.filter(compound_id=filters.compound)
    if filters.current and not filters.mine:
        today = timezone.localdate()
        qs = qs.filter(period_start__lte=today, period_end__gte=today)
    return Rendered(qs.order_by("-period_start", "building__sort", "building_id"), _sweep_out)


class SweepDoneIn(InputSchema):
    note: Text(500) = ""


@router.post("/sweeps/{sweep_id}/complete", response={200: SweepOut, **COMMON_ERRORS})
def sweep_complete(request, sweep_id: Id, payload: SweepDoneIn | None = None):
    sweep = get_or_404(selectors.sweeps_visible_to(request.auth), pk=sweep_id)
    sweep = services.sweep_complete(
        actor=request.auth, sweep=sweep, note=payload.note if payload else ""
    )
    return _sweep_out(sweep)


class PolicyIO(Schema):
    building_days: int
    compound_days: int
    community_days: int
    street_days: int
    followup_days: int
    reopen_days: int
    sweep_period: str


def _days(name: str):
    """The bounds the service enforces, also in the schema (and so in the OpenAPI)."""
    return Int(*services.POLICY_FIELDS[name]) | None


class PolicyPatch(InputSchema):
    building_days: _days("building_days") = None
    compound_days: _days("compound_days") = None
    community_days: _days("community_days") = None
    street_days: _days("street_days") = None
    followup_days: _days("followup_days") = None
    reopen_days: _days("reopen_days") = None
    sweep_period: SweepPeriod | None = None


def _policy_out(p) -> dict:
    return {name: getattr(p, name) for name in PolicyIO.model_fields}


@router.get("/policy", response={200: PolicyIO, **COMMON_ERRORS})
def policy_detail(request, compound: Id):
    c = get_or_404(figure_scope(request.auth, compound), pk=compound)
    return _policy_out(services.policy_for(c))


@router.patch("/policy", response={200: PolicyIO, **COMMON_ERRORS})
def policy_update(request, compound: Id, payload: PolicyPatch):
    c = get_or_404(compounds_visible_to(request.auth), pk=compound)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return _policy_out(services.policy_update(actor=request.auth, compound=c, data=data))
