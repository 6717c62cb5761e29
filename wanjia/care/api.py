"""The care API under /api/v1/care/ (the names the issue fixes).

Refusals in the usual order: a role that may never do the thing is a 403
before any lookup; a compound, visit or escalation outside the caller's scope
(or, for a caretaker, not assigned to them) is a 404 with the body of a
missing one; bad input is a 422 naming the field."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from wanjia.core.errors import Invalid
from wanjia.core.schemas import COMMON_ERRORS, Date, Id, InputSchema, Text
from wanjia.core.scoping import compound_gate, gate

from . import access, selectors, selectors_duty, services
from .models import EscalationStatus
from .services import duty

router = Router(tags=["care"])


class VisitOut(Schema):
    id: int
    person: str
    building: str
    due_by: datetime
    status: str
    outcome: str


class VisitList(Schema):
    items: list[VisitOut]
    count: int


class VisitFilter(Schema):
    compound: Id
    date: Date | None = None


class OutcomeIn(InputSchema):
    outcome: Text(20)
    note: Text(300) = ""
    mode: Text(20) = "in_person"
    help_kind: Text(20) = ""
    referral_to: Text(60) = ""


class EscalationRef(Schema):
    id: int
    step: int
    due_at: datetime


class FollowUpRef(Schema):
    id: int
    kind: str
    owner: int | None
    due_at: datetime
    ticket: int | None


class OutcomeOut(Schema):
    id: int
    status: str
    outcome: str
    escalation: EscalationRef | None
    followup: FollowUpRef | None = None


class EscalationOut(Schema):
    id: int
    visit: int
    step: int
    owner: str | None
    due_at: datetime
    status: str


class EscalationList(Schema):
    items: list[EscalationOut]
    count: int


class EscalationFilter(Schema):
    compound: Id
    status: Text(10) | None = None


class ResolveIn(InputSchema):
    result: Text(20)
    note: Text(300) = ""


class ResolveOut(Schema):
    id: int
    status: str
    result: str


def _any_care(user) -> bool:
    return access.views_anywhere(user) or access.visits_anywhere(user)


def _compound(user, compound_id: int):
    return compound_gate(
        user, compound_id, lambda u, c: access.can_view(u, c) or access.can_visit(u, c)
    )


def _esc_ref(esc):
    if esc is None:
        return None
    return {"id": esc.pk, "step": esc.step, "due_at": timezone.localtime(esc.due_at)}


@router.get("/visits", response={200: VisitList, **COMMON_ERRORS}, summary="某日的探访")
def visit_list(request, filters: Query[VisitFilter]):
    """The visits of ``date`` (today by default) the caller may see: all of
    the compound's for a manager, one's own people's for a caretaker. Names
    are masked."""
    user = request.auth
    if not _any_care(user):
        raise PermissionDenied
    compound = _compound(user, filters.compound)
    day = filters.date or timezone.localdate()
    rows = selectors.visits_of_day(user, compound, day)
    items = [
        {
            "id": v.pk,
            "person": selectors.masked_name(v.person.resident.name),
            "building": v.building.name if v.building else "",
            "due_by": timezone.localtime(v.due_by),
            "status": v.status,
            "outcome": v.outcome,
        }
        for v in selectors._by_building(rows)
    ]
    return {"items": items, "count": len(items)}


@router.post(
    "/visits/{visit_id}/outcome",
    response={200: OutcomeOut, **COMMON_ERRORS},
    summary="记录探访结果（每次探访只记一次）",
    url_name="care_visit_outcome",
)
def visit_outcome(request, visit_id: Id, payload: OutcomeIn):
    user = request.auth
    if not (access.visits_anywhere(user) or access.manages_anywhere(user)):
        raise PermissionDenied
    visit = selectors.get_or_404(selectors.visits_visible_to(user), pk=visit_id)
    visit, esc = services.record_outcome(
        actor=user,
        visit=visit,
        outcome=payload.outcome,
        note=payload.note,
        mode=payload.mode,
        help_kind=payload.help_kind,
        referral_to=payload.referral_to,
    )
    fu = getattr(visit, "followup", None)
    return {
        "id": visit.pk,
        "status": visit.status,
        "outcome": visit.outcome,
        "escalation": _esc_ref(esc),
        "followup": None
        if fu is None
        else {
            "id": fu.pk,
            "kind": fu.kind,
            "owner": fu.owner_id,
            "due_at": timezone.localtime(fu.due_at),
            "ticket": fu.ticket_id,
        },
    }


@router.get("/escalations", response={200: EscalationList, **COMMON_ERRORS}, summary="升级处置")
def escalation_list(request, filters: Query[EscalationFilter]):
    user = request.auth
    if not _any_care(user):
        raise PermissionDenied
    compound = _compound(user, filters.compound)
    if filters.status and filters.status not in EscalationStatus.values:
        raise Invalid({"status": _("状态应为 open 或 resolved。")})
    rows = selectors.escalations_of(user, compound, filters.status or "")
    items = [
        {
            "id": e.pk,
            "visit": e.visit_id,
            "step": e.step,
            "owner": e.owner.display_name or e.owner.username if e.owner else None,
            "due_at": timezone.localtime(e.due_at),
            "status": e.status,
        }
        for e in rows
    ]
    return {"items": items, "count": len(items)}


@router.post(
    "/escalations/{escalation_id}/resolve",
    response={200: ResolveOut, **COMMON_ERRORS},
    summary="解除升级处置（确认本人平安等）",
)
def escalation_resolve(request, escalation_id: Id, payload: ResolveIn):
    user = request.auth
    if not _any_care(user):
        raise PermissionDenied
    esc = selectors.get_or_404(selectors.escalations_visible_to(user), pk=escalation_id)
    esc = services.escalation_resolve(
        actor=user, escalation=esc, result=payload.result, note=payload.note
    )
    return {"id": esc.pk, "status": esc.status, "result": esc.result}


# ---- 24-hour duty: who to call now, and the handover between shifts ----------------------


class OnDuty(Schema):
    shift: int
    name: str
    phone: str  # masked; the console's reveal is audited
    kind: str  # "day" 08:00–20:00 or "night" 20:00–08:00
    label: str
    starts_at: datetime
    ends_at: datetime


class HandoverOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None


class DutyBoard(Schema):
    current: list[OnDuty]
    next: list[OnDuty]
    next_at: datetime | None
    unacknowledged: list[HandoverOut]


class DutyFilter(Schema):
    compound: Id


class HandoverIn(InputSchema):
    compound: Id
    text: Text(1000)


def _on_duty(person: dict) -> dict:
    s = person["shift"]
    return {
        "shift": s.pk,
        "name": person["name"],
        "phone": person["phone"],
        "kind": s.shift,
        "label": str(person["label"]),
        "starts_at": timezone.localtime(s.starts_at),
        "ends_at": timezone.localtime(s.ends_at),
    }


def _handover(h) -> dict:
    return {
        "id": h.pk,
        "author": h.author.name,
        "text": h.text,
        "created_at": timezone.localtime(h.created_at),
        "acknowledged_at": h.acknowledged_at and timezone.localtime(h.acknowledged_at),
        "acknowledged_by": h.acknowledged_by.name if h.acknowledged_by_id else None,
    }


@router.get("/duty", response={200: DutyBoard, **COMMON_ERRORS}, summary="值班看板：现在找谁")
def duty_board(request, filters: Query[DutyFilter]):
    """Who is on duty now and next (phones masked), and the handovers nobody
    has taken over yet; for the compound's managers, viewers and caretakers."""
    user = request.auth
    if not _any_care(user):
        raise PermissionDenied
    compound = compound_gate(user, filters.compound, duty.may_see_duty)
    board = selectors_duty.board(compound)
    return {
        "current": [_on_duty(p) for p in board["current"]],
        "next": [_on_duty(p) for p in board["next"]],
        "next_at": board["next_at"] and timezone.localtime(board["next_at"]),
        "unacknowledged": [_handover(h) for h in board["unacknowledged"]],
    }


@router.post(
    "/duty/handovers",
    response={201: HandoverOut, **COMMON_ERRORS},
    summary="交班：写给下一班的交班记录",
)
def handover_create(request, payload: HandoverIn):
    user = request.auth
    if not _any_care(user):
        raise PermissionDenied
    compound = compound_gate(user, payload.compound, duty.may_see_duty)
    note = duty.handover_write(actor=user, compound=compound, text=payload.text)
    return Status(201, _handover(note))


@router.post(
    "/duty/handovers/{handover_id}/acknowledge",
    response={200: HandoverOut, **COMMON_ERRORS},
    summary="接班：确认交班记录（只能确认一次）",
)
def handover_acknowledge(request, handover_id: Id):
    user = request.auth
    if not _any_care(user):
        raise PermissionDenied
    note = gate(
        user,
        selectors_duty.handover_rows(),
        handover_id,
        compound="compound_id",
        allowed=lambda h: duty.may_see_duty(user, h.compound),
    )
    return _handover(duty.handover_acknowledge(actor=user, handover=note))
