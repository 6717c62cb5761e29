"""The tickets API under /api/v1/tickets (the names the issue fixes).

Refusals in the usual order: a role that may never do the thing is a 403
before any lookup; a ticket outside the caller's scope (for a resident:
another household's) is a 404 with the body of a missing one; bad input is a
422 naming the field; a step the ticket is past is a 409."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from wanjia.core.errors import Invalid
from wanjia.core.idempotency import (
    HEADER,
    answer_once,
)
from wanjia.core.schemas import COMMON_ERRORS, DateTime, ErrorOut, Id, InputSchema, Int, Text

from . import access, selectors, services
from .models import Status as TicketStatus

router = Router(tags=["tickets"])
WRITE_ERRORS = {**COMMON_ERRORS, 409: ErrorOut}


class CategoryOut(Schema):
    code: str
    name: str
    respond_minutes: int
    finish_hours: int
    urgent: bool


class CategoryList(Schema):
    items: list[CategoryOut]
    count: int


class CategoryFilter(Schema):
    compound: Id | None = None


class TicketIn(InputSchema):
    category: Text(30)
    title: Text(100) = ""
    description: Text(2000)
    unit: Id | None = None
    compound: Id | None = None
    place: Text(100) = ""


class Created(Schema):
    id: int
    status: str
    respond_by: datetime
    finish_by: datetime


class Target(Schema):
    key: str
    target: datetime
    reached: datetime | None
    met: bool | None


class Step(Schema):
    kind: str
    label: str
    at: datetime
    note: str


class TicketOut(Schema):
    id: int
    status: str
    status_label: str
    category: str
    title: str
    description: str
    place_kind: str
    place: str
    unit: int | None
    created_at: datetime
    respond_by: datetime
    finish_by: datetime
    fix_by: datetime | None
    assignee: str | None
    rating: int | None
    rating_comment: str
    targets: list[Target]
    steps: list[Step]


class TicketRow(Schema):
    id: int
    status: str
    category: str
    title: str
    created_at: datetime
    respond_by: datetime
    finish_by: datetime


class TicketList(Schema):
    items: list[TicketRow]
    count: int


class TicketFilter(Schema):
    compound: Id | None = None
    status: Text(14) = ""


class RateIn(InputSchema):
    score: Int(1, 5)
    comment: Text(300) = ""


class AssignIn(InputSchema):
    assignee: Id


class DoneIn(InputSchema):
    note: Text(300) = ""


class VisitIn(InputSchema):
    note: Text(300)
    fix_by: DateTime | None = None


def _local(moment):
    return timezone.localtime(moment) if moment else None


def _detail(user, ticket) -> dict:
    clock = selectors.clock(ticket)
    return {
        "id": ticket.pk,
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "category": ticket.category.code,
        "title": ticket.title,
        "description": ticket.description,
        "place_kind": ticket.place_kind,
        "place": ticket.place,
        "unit": ticket.household_id,
        "created_at": _local(ticket.created_at),
        "respond_by": _local(ticket.respond_by),
        "finish_by": _local(ticket.finish_by),
        "fix_by": _local(ticket.fix_by),
        "assignee": (ticket.assignee.display_name or ticket.assignee.username)
        if ticket.assignee
        else None,
        "rating": ticket.rating,
        "rating_comment": ticket.rating_comment,
        "targets": [
            {**t, "target": _local(t["target"]), "reached": _local(t["reached"])}
            for t in clock["targets"]
        ],
        "steps": [
            {"kind": e.kind, "label": e.get_kind_display(), "at": _local(e.at), "note": e.note}
            for e in clock["events"]
        ],
    }


def _company(user, compound_id):
    if compound_id:
        compound = selectors.get_or_404(selectors.compounds_seen(user), pk=compound_id)
        return compound.company
    home = selectors.my_households(user).first()
    if home is not None:
        return home.compound.company
    first = selectors.first_work_compound(user)
    if first is None:
        raise PermissionDenied
    return first.company


@router.get("/categories", response={200: CategoryList, **COMMON_ERRORS}, summary="报修类别与时限")
def category_list(request, filters: Query[CategoryFilter]):
    user = request.auth
    if not (access.has_household(user) or access.works_anywhere(user)):
        raise PermissionDenied
    company = _company(user, filters.compound)
    services.categories_ensure(company)
    rows = selectors.categories_of(company)
    items = [
        {
            "code": c.code,
            "name": c.name,
            "respond_minutes": c.respond_minutes,
            "finish_hours": c.finish_hours,
            "urgent": c.urgent,
        }
        for c in rows
    ]
    return {"items": items, "count": len(items)}


def _target(user, payload: TicketIn):
    """(compound, household) the new ticket is for."""
    if access.has_household(user) and payload.compound is None:
        home = selectors.my_household(user, payload.unit)
        if home is None:
            raise Invalid({"unit": [_("只能为自家报修。")]})
        return home.compound, home
    if not access.works_anywhere(user):
        raise PermissionDenied
    if payload.compound is None and payload.unit is None:
        raise Invalid({"unit": [_("请选择住户，或给出小区和公共区域位置。")]})
    if payload.compound is not None:
        compound = selectors.get_or_404(selectors.compounds_for(user), pk=payload.compound)
    else:
        compound = None
    household = None
    if payload.unit is not None:
        household = selectors.get_or_404(selectors.work_households(user), pk=payload.unit)
        if compound is not None and household.compound_id != compound.pk:
            raise Invalid({"unit": [_("只能选择本小区的住户。")]})
        compound = household.compound
    if not access.can_work(user, compound):
        raise PermissionDenied
    return compound, household


@router.post(
    "",
    response={201: Created, **WRITE_ERRORS},
    summary="报修（Idempotency-Key 重发只建一张）",
    openapi_extra={
        "parameters": [
            {
                "name": HEADER,
                "in": "header",
                "required": True,
                "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                "description": "A unique value per report; a retry with the same value and "
                "body returns the first answer and opens nothing.",
            }
        ]
    },
)
def ticket_create(request, payload: TicketIn, response: HttpResponse):
    """A resident reports for their household (``unit`` optional: their own;
    ``place`` for a common area); staff report for a household of their
    compound (``unit``) or a common area (``compound`` and ``place``)."""
    user = request.auth
    if not (access.has_household(user) or access.works_anywhere(user)):
        raise PermissionDenied
    compound, household = _target(user, payload)

    def run():
        ticket = services.ticket_open(
            actor=user,
            compound=compound,
            household=household,
            category=payload.category,
            title=payload.title,
            description=payload.description,
            place_kind="common" if payload.place else "",
            place=payload.place,
        )
        body = Created(
            id=ticket.pk,
            status=ticket.status,
            respond_by=_local(ticket.respond_by),
            finish_by=_local(ticket.finish_by),
        ).model_dump(mode="json")
        return 201, body

    return answer_once(
        request,
        response,
        scope="tickets.open",
        payload=payload.model_dump(mode="json"),
        run=run,
        required=True,
    )


@router.get("", response={200: TicketList, **COMMON_ERRORS}, summary="报修工单列表")
def ticket_list(request, filters: Query[TicketFilter]):
    """A resident: their own; staff: a compound's (``compound`` required)."""
    user = request.auth
    if filters.status and filters.status not in (*TicketStatus.values, "open"):
        raise Invalid({"status": _("未知的状态。")})
    if filters.compound is None:
        if not access.has_household(user):
            raise Invalid({"compound": _("请给出小区。")})
        rows = selectors.my_tickets(user, status=filters.status)
    else:
        if not access.works_anywhere(user):
            raise PermissionDenied
        compound = selectors.get_or_404(selectors.compounds_seen(user), pk=filters.compound)
        if not access.can_work(user, compound):
            raise PermissionDenied
        rows = selectors.queue(compound, status=filters.status)
    rows = list(rows[:200])
    items = [
        {
            "id": t.pk,
            "status": t.status,
            "category": t.category.code,
            "title": t.title,
            "created_at": _local(t.created_at),
            "respond_by": _local(t.respond_by),
            "finish_by": _local(t.finish_by),
        }
        for t in rows
    ]
    return {"items": items, "count": len(items)}


def _ticket(user, ticket_id):
    if not (access.has_household(user) or access.works_anywhere(user)):
        raise PermissionDenied
    return selectors.get_or_404(selectors.ticket_rows(user), pk=ticket_id)


def _staff_ticket(user, ticket_id):
    if not access.works_anywhere(user):
        raise PermissionDenied
    return selectors.get_or_404(selectors.worked_tickets(user), pk=ticket_id)


@router.get("/{ticket_id}", response={200: TicketOut, **COMMON_ERRORS}, summary="报修详情与时钟")
def ticket_detail(request, ticket_id: Id):
    ticket = _ticket(request.auth, ticket_id)
    return _detail(request.auth, ticket)


@router.post(
    "/{ticket_id}/rate", response={200: TicketOut, **WRITE_ERRORS}, summary="评价（1–5 分）"
)
def ticket_rate(request, ticket_id: Id, payload: RateIn):
    user = request.auth
    if not access.has_household(user):
        raise PermissionDenied
    ticket = selectors.get_or_404(selectors.my_tickets(user), pk=ticket_id)
    ticket = services.ticket_rate(
        actor=user, ticket=ticket, score=payload.score, comment=payload.comment
    )
    return _detail(user, selectors.get_or_404(selectors.ticket_rows(user), pk=ticket.pk))


@router.post("/{ticket_id}/accept", response={200: TicketOut, **WRITE_ERRORS}, summary="受理")
def ticket_accept(request, ticket_id: Id):
    user = request.auth
    ticket = services.ticket_accept(actor=user, ticket=_staff_ticket(user, ticket_id))
    return _detail(user, ticket)


@router.post("/{ticket_id}/assign", response={200: TicketOut, **WRITE_ERRORS}, summary="派单")
def ticket_assign(request, ticket_id: Id, payload: AssignIn):
    user = request.auth
    ticket = _staff_ticket(user, ticket_id)
    if not access.can_manage(user, ticket.compound):
        raise PermissionDenied
    worker = selectors.worker_in(ticket.compound, payload.assignee)
    if worker is None:
        raise Invalid({"assignee": _("请选择本小区的工作人员。")})
    ticket = services.ticket_assign(actor=user, ticket=ticket, assignee=worker)
    return _detail(user, ticket)


@router.post("/{ticket_id}/start", response={200: TicketOut, **WRITE_ERRORS}, summary="开始处理")
def ticket_start(request, ticket_id: Id):
    user = request.auth
    ticket = services.ticket_start(actor=user, ticket=_staff_ticket(user, ticket_id))
    return _detail(user, ticket)


@router.post("/{ticket_id}/done", response={200: TicketOut, **WRITE_ERRORS}, summary="处理完成")
def ticket_done(request, ticket_id: Id, payload: DoneIn):
    user = request.auth
    ticket = services.ticket_done(
        actor=user, ticket=_staff_ticket(user, ticket_id), note=payload.note
    )
    return _detail(user, ticket)


@router.post("/{ticket_id}/visit", response={200: TicketOut, **WRITE_ERRORS}, summary="回访")
def ticket_visit(request, ticket_id: Id, payload: VisitIn):
    user = request.auth
    ticket = _staff_ticket(user, ticket_id)
    if not access.can_manage(user, ticket.compound):
        raise PermissionDenied
    fix_by = payload.fix_by
    if fix_by is not None and timezone.is_naive(fix_by):
        fix_by = timezone.make_aware(fix_by)
    ticket = services.ticket_visit(actor=user, ticket=ticket, note=payload.note, fix_by=fix_by)
    return _detail(user, ticket)
