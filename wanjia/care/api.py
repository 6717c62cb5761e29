"""The care API under /api/v1/care/ (the names the issue fixes).

Refusals in the usual order: a role that may never do the thing is a 403
before any lookup; a compound, visit or escalation outside the caller's scope
(or, for a caretaker, not assigned to them) is a 404 with the body of a
missing one; bad input is a 422 naming the field."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from wanjia.core.errors import Invalid
from wanjia.core.schemas import COMMON_ERRORS, Date, Id, InputSchema, Text
from wanjia.core.scoping import compound_gate

from . import access, selectors, services
from .models import EscalationStatus

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
