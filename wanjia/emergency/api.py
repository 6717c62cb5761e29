"""The emergency API under /api/v1/emergency/ (the names the issue fixes).

Refusals in the usual order: a role that may never do the thing is a 403
before any lookup (a manager opening an event); an event or compound outside
the caller's scope is a 404 with the body of a missing one. Opening an event
honours ``Idempotency-Key``: the same key twice makes one event and answers
the first body again. Opening answers 201 at once with the event "opening";
its checklists and notices are made by a background job (``job`` in the
answer, its progress at /jobs/<id>/)."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from wanjia.core.errors import Invalid
from wanjia.core.idempotency import (
    HEADER,
    answer_once,
)
from wanjia.core.models import Compound
from wanjia.core.schemas import COMMON_ERRORS, ErrorOut, Id, Int

from . import access, selectors, services

router = Router(tags=["emergency"])
WRITE_ERRORS = {**COMMON_ERRORS, 409: ErrorOut}


class EventIn(Schema):
    kind: Literal["epidemic", "flood", "typhoon", "fire", "other"]
    grade: Int(1, 4)
    title: str = Field(min_length=1, max_length=100)
    compounds: list[Id] | None = Field(default=None, max_length=10000)
    region: Id | None = None


class EventCreated(Schema):
    id: int
    status: str
    job: int | None
    job_url: str


class EventOut(Schema):
    id: int
    kind: str
    grade: int
    title: str
    status: str


class EventList(Schema):
    items: list[EventOut]
    count: int


class EventFilter(Schema):
    status: Literal["open", "closed", "all"] = "all"


class RollOut(Schema):
    safe: int
    needs_help: int
    unknown: int


class CompoundStatus(Schema):
    id: int
    checklist_done: int
    checklist_total: int
    report_today: bool
    roll_call: RollOut


class StatusOut(Schema):
    compounds: list[CompoundStatus]


class ReportIn(Schema):
    on_duty: Int(0, 100000)
    note: str = Field(min_length=1, max_length=2000)
    incidents: Int(0, 100000) = 0
    people_moved: Int(0, 100000) = 0
    needs: str = Field(default="", max_length=300)
    compound: Id | None = None


class ReportOut(Schema):
    id: int
    compound: int
    day: str
    on_duty: int
    checklist_done: int
    incidents: int
    people_moved: int
    needs: str
    note: str
    late: bool


class CloseIn(Schema):
    summary: str = Field(default="", max_length=5000)


IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
            "description": "A unique value per intended event; a retry with the same "
            "value returns the first answer and opens no second event.",
        }
    ]
}


@router.post(
    "/events",
    response={201: EventCreated, **WRITE_ERRORS},
    summary="启动应急事件",
    openapi_extra=IDEMPOTENCY_DOC,
)
def event_create(request, payload: EventIn, response: HttpResponse):
    """Open an event over a region (city, district, street) or a list of
    compounds; regulator only, within its own area."""
    user = request.auth
    if not access.commands_anywhere(user):
        raise PermissionDenied

    def run():
        event = services.event_open(
            actor=user,
            kind=payload.kind,
            grade=payload.grade,
            title=payload.title,
            region_id=payload.region,
            compound_ids=payload.compounds,
        )
        return 201, {
            "id": event.pk,
            "status": event.status,
            "job": event.job_id,
            "job_url": resolve_url("job_status", event.job_id) if event.job_id else "",
        }

    return answer_once(
        request,
        response,
        scope="emergency.event.open",
        payload=payload.model_dump(mode="json"),
        run=run,
    )


@router.get("/events", response={200: EventList, **COMMON_ERRORS}, summary="应急事件列表")
def event_list(request, filters: Query[EventFilter]):
    """Events covering the caller's compounds (or under its command)."""
    user = request.auth
    if not access.anywhere(user):
        raise PermissionDenied
    rows = list(selectors.events_visible(user, status=filters.status)[:200])
    items = [
        {"id": e.pk, "kind": e.kind, "grade": e.grade, "title": e.title, "status": e.status}
        for e in rows
    ]
    return {"items": items, "count": len(items)}


@router.get(
    "/events/{event_id}/status", response={200: StatusOut, **COMMON_ERRORS}, summary="各小区进展"
)
def event_status(request, event_id: Id):
    """Per compound the caller sees: checklist done/total, whether today's
    report is in, and the vulnerable residents' roll call."""
    user = request.auth
    if not access.anywhere(user):
        raise PermissionDenied
    event = selectors.event_or_404(user, event_id)
    rows = selectors.status_rows(user, event)
    return {
        "compounds": [
            {
                "id": r["id"],
                "checklist_done": r["checklist_done"],
                "checklist_total": r["checklist_total"],
                "report_today": r["report_today"],
                "roll_call": {
                    "safe": r["roll_call"]["safe"],
                    "needs_help": r["roll_call"]["needs_help"],
                    "unknown": r["roll_call"]["unknown"],
                },
            }
            for r in rows
        ]
    }


def _report_out(report) -> dict:
    return {
        "id": report.pk,
        "compound": report.compound_id,
        "day": report.day.isoformat(),
        "on_duty": report.on_duty,
        "checklist_done": report.checklist_done,
        "incidents": report.incidents,
        "people_moved": report.people_moved,
        "needs": report.needs,
        "note": report.note,
        "late": report.late,
    }


@router.post(
    "/events/{event_id}/reports",
    response={200: ReportOut, 201: ReportOut, **WRITE_ERRORS},
    summary="报送今日应急日报",
)
def report_create(request, event_id: Id, payload: ReportIn):
    """Today's report of the caller's compound (``compound`` only when the
    caller covers several). A second report the same day updates the first:
    200 with the same id."""
    user = request.auth
    if not access.responds_anywhere(user):
        raise PermissionDenied
    event = selectors.event_or_404(user, event_id)
    mine = [
        ec for ec in selectors.affected_of(user, event) if access.can_respond(user, ec.compound)
    ]
    if payload.compound is not None:
        ec = next((ec for ec in mine if ec.compound_id == payload.compound), None)
        if ec is None:
            if Compound.objects.filter(pk=payload.compound).exists() and any(
                e.compound_id == payload.compound for e in selectors.affected_of(user, event)
            ):
                raise PermissionDenied
            raise Invalid({"compound": [_("该小区不在此次应急范围内，或不归您负责。")]})
    elif len(mine) == 1:
        ec = mine[0]
    elif not mine:
        raise PermissionDenied
    else:
        raise Invalid({"compound": [_("您负责多个小区，请注明是哪个小区的日报。")]})
    report, created = services.report_submit(
        actor=user,
        event=event,
        compound=ec.compound,
        on_duty=payload.on_duty,
        note=payload.note,
        incidents=payload.incidents,
        people_moved=payload.people_moved,
        needs=payload.needs,
    )
    return Status(201 if created else 200, _report_out(report))


@router.post(
    "/events/{event_id}/close", response={200: EventOut, **WRITE_ERRORS}, summary="结束应急事件"
)
def event_close(request, event_id: Id, payload: CloseIn | None = None):
    user = request.auth
    if not access.commands_anywhere(user):
        raise PermissionDenied
    event = selectors.event_or_404(user, event_id)
    event = services.event_close(
        actor=user, event=event, summary=payload.summary if payload else ""
    )
    return {
        "id": event.pk,
        "kind": event.kind,
        "grade": event.grade,
        "title": event.title,
        "status": event.status,
    }
