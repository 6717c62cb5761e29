"""The roster endpoints under /api/v1/patrol/ (on the app's router):

- ``POST /rosters`` ``{"compound", "start", "days"}`` → 202 with the job that
  builds it; follow it at ``status_url``;
- ``GET /rosters/jobs/{job_id}`` → the job and, once ended, its result: the
  roster (assignments) or the reasons none exists, each as a sentence;
- ``GET /rosters?compound=&start=&end=`` → the stored roster of a date range.

Refusals as in the rest of the router: a role that may never manage rosters is
a 403 before any lookup, a compound outside the caller's scope a 404, bad input
a 422 with field errors."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Schema
from ninja.responses import Status

from wanjia.core.errors import Invalid
from wanjia.core.jobs import with_live_progress
from wanjia.core.roster_jobs import MAX_DAYS
from wanjia.core.schemas import COMMON_ERRORS, Date, Id, InputSchema, Int

from . import access, selectors
from .api import _compound, _sees, router
from .selectors_roster import roster_jobs_visible_to, shifts_in
from .services import rosters


class RosterIn(InputSchema):
    compound: Id
    start: Date
    days: Int(1, MAX_DAYS) = 28


class RosterQueued(Schema):
    job: int
    status: str
    status_url: str


class ReasonOut(Schema):
    code: str
    day: date | None
    shift: str | None
    guard: int | None
    text: str


class AssignmentOut(Schema):
    date: date
    shift: str
    user: int
    name: str


class RosterResultOut(Schema):
    status: str
    saved: int
    assignments: list[AssignmentOut]
    reasons: list[ReasonOut]


class RosterJobOut(Schema):
    id: int
    status: str
    progress: int
    total: int
    message: str
    result: RosterResultOut | None


class ShiftOut(Schema):
    id: int
    date: date
    shift: str
    user: int
    name: str
    starts_at: str
    ends_at: str


class ShiftList(Schema):
    items: list[ShiftOut]
    count: int


class RosterFilter(Schema):
    compound: Id
    start: Date | None = None
    end: Date | None = None


@router.post(
    "/rosters",
    response={202: RosterQueued, **COMMON_ERRORS},
    summary="生成巡逻排班（后台计算，返回任务）",
    url_name="patrol_roster_create",
)
def roster_create(request, payload: RosterIn):
    user = request.auth
    if not access.manages_anywhere(user):
        raise PermissionDenied
    compound = _compound(user, payload.compound, access.can_manage)
    job = rosters.roster_request(
        actor=user, compound=compound, start=payload.start, days=payload.days
    )
    url = reverse("api:patrol_roster_job", args=[job.pk])
    return Status(202, {"job": job.pk, "status": job.status, "status_url": url})


@router.get(
    "/rosters/jobs/{job_id}",
    response={200: RosterJobOut, **COMMON_ERRORS},
    summary="排班任务的进度与结果（班表，或排不出的原因）",
    url_name="patrol_roster_job",
)
def roster_job(request, job_id: Id):
    user = request.auth
    if not access.manages_anywhere(user):
        raise PermissionDenied
    job = selectors.get_or_404(roster_jobs_visible_to(user), pk=job_id)
    job = with_live_progress(job)
    return {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "total": job.total,
        "message": job.message,
        "result": result_out(job.result) if job.result else None,
    }


def result_out(result: dict) -> dict:
    names = result.get("people", {})
    return {
        "status": result["status"],
        "saved": result.get("saved", 0),
        "assignments": [
            {**a, "name": names.get(str(a["user"]), "")} for a in result.get("assignments", [])
        ],
        "reasons": [
            {
                "code": r["code"],
                "day": r["day"],
                "shift": r["shift"],
                "guard": int(r["guard"]) if r.get("guard") else None,
                "text": rosters.describe(r, names),
            }
            for r in result.get("reasons", [])
        ],
    }


@router.get(
    "/rosters",
    response={200: ShiftList, **COMMON_ERRORS},
    summary="小区某段日期的排班",
    url_name="patrol_roster_list",
)
def roster_list(request, filters: Query[RosterFilter]):
    """``start`` defaults to today, ``end`` (included) to four weeks on; at
    most 62 days at once."""
    user = request.auth
    if not (access.views_anywhere(user) or access.patrols_anywhere(user)):
        raise PermissionDenied
    compound = _compound(user, filters.compound, _sees)
    start = filters.start or timezone.localdate()
    end = filters.end or start + timedelta(days=27)
    if end < start:
        raise Invalid({"end": [_("结束日期不能早于开始日期。")]})
    if (end - start).days >= 62:
        raise Invalid({"end": [_("一次最多查询 62 天。")]})
    items = [
        {
            "id": s.pk,
            "date": s.date,
            "shift": s.shift,
            "user": s.user_id,
            "name": s.user.name,
            "starts_at": timezone.localtime(s.starts_at).isoformat(),
            "ends_at": timezone.localtime(s.ends_at).isoformat(),
        }
        for s in shifts_in(compound, start, (end - start).days + 1)
    ]
    return {"items": items, "count": len(items)}
