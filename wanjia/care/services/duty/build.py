"""The duty roster built by the shared pure engine (``wanjia.rostering``, the
one patrol's rosters use) as a kernel job: the request, the job, and the
horizon replaced in one transaction."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia import rostering as engine
from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid
from wanjia.core.roster_jobs import check_horizon, roster_job_request, roster_job_run

from ...access import can_manage
from ...models import DutyShift
from .problem import build_problem
from .reasons import reason_json
from .shifts import JOB_KIND, SHIFT_BY_KEY, SOLVE_SECONDS, TASK
from .team import team_of


def ready() -> None:
    """From the app's ``ready``: the job kind."""
    from django.urls import reverse

    from wanjia.core.jobs import register_kind

    def back(job) -> str:
        if job.compound_id:
            return reverse("care_duty", args=[job.compound_id])
        return reverse("care_home")

    register_kind(
        JOB_KIND,
        title=gettext_lazy("关爱值班排班"),
        capability="care.manage",
        result_template="care/duty_job_result.html",
        back=back,
        rerun=True,
    )


def duty_request(*, actor, compound, start: date, days: int):
    """Queue the job that builds ``days`` days of duty roster from ``start``."""
    if not can_manage(actor, compound):
        raise Forbidden
    check_horizon(start, days)
    if not team_of(compound):
        raise Invalid({"compound": [_("本小区还没有可以值班的工作人员。")]})
    return roster_job_request(
        actor=actor,
        compound=compound,
        start=start,
        days=days,
        kind=JOB_KIND,
        task=TASK,
        action="care.duty.requested",
    )


def duty_run(job_id: int, compound_id: int, start: str, days: int) -> dict | None:
    """The background job (see ``core.roster_jobs``): builds, ends the job
    with the result."""
    return roster_job_run(job_id, compound_id, start, days, duty_build)


def duty_build(*, compound, start: date, days: int, seconds: float = SOLVE_SECONDS) -> dict:
    """Solve; when a roster keeping every rule exists, replace the horizon's
    shifts with it in one transaction. JSON result (reasons as codes)."""
    team = team_of(compound)
    problem = build_problem(compound, start, days, team=team)
    result = engine.solve(problem, time_limit_s=seconds)
    ok = result.status in ("optimal", "feasible")
    saved = _store(compound, problem, result.assignments) if ok else 0
    if ok:
        audit(
            actor=None,
            action="care.duty.built",
            compound=compound,
            detail={"start": start.isoformat(), "days": days, "shifts": saved},
        )
    return {
        "status": result.status,
        "compound": compound.pk,
        "start": start.isoformat(),
        "days": days,
        "saved": saved,
        "reasons": [reason_json(r) for r in result.reasons],
        "people": {str(u.pk): u.name for u in team},
        "stats": {"nights_min": result.stats.nights_min, "nights_max": result.stats.nights_max},
    }


def _lock(compound) -> None:
    """One duty-roster write at a time per compound."""
    from wanjia.core.models import Compound

    list(Compound.objects.select_for_update().filter(pk=compound.pk).values_list("pk", flat=True))


def _store(compound, problem, assignments) -> int:
    end = problem.start + timedelta(days=problem.days)
    rows = []
    for a in assignments:
        starts, ends = SHIFT_BY_KEY[a.shift].times(a.day)
        rows.append(
            DutyShift(
                compound=compound,
                date=a.day,
                shift=a.shift,
                starts_at=starts,
                ends_at=ends,
                user_id=int(a.guard),
            )
        )
    with transaction.atomic():
        _lock(compound)
        DutyShift.objects.filter(compound=compound, date__gte=problem.start, date__lt=end).delete()
        DutyShift.objects.bulk_create(rows, batch_size=500)
    return len(rows)
