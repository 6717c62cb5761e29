"""Asking for a roster (the request) and building it (the background job that
solves the problem and replaces the horizon in one transaction). The engine is
pure (``wanjia.rostering``); nothing here solves anything by itself."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia import rostering as engine
from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid
from wanjia.core.roster_jobs import check_horizon, roster_job_request, roster_job_run

from ... import access
from ...models import RosterShift
from .problem import build_problem, members_of
from .reasons import reason_json
from .shifts import JOB_KIND, SHIFT_BY_KEY, SOLVE_SECONDS, TASK


def ready() -> None:
    """Called once from the app's ``ready``: the job kind and the audit words."""
    from django.urls import reverse

    from wanjia.core.audit import describe_actions
    from wanjia.core.jobs import register_kind

    def back(job) -> str:
        if job.compound_id:
            return reverse("patrol_roster", args=[job.compound_id])
        return reverse("patrol_home")

    register_kind(
        JOB_KIND,
        title=gettext_lazy("巡逻排班"),
        capability="patrol.manage",
        result_template="patrol/roster_job_result.html",
        back=back,
        rerun=True,  # the roster is stored in one transaction: a killed run left nothing
    )
    describe_actions(
        {
            "patrol.roster.requested": gettext_lazy("请求生成巡逻排班"),
            "patrol.roster.built": gettext_lazy("生成巡逻排班"),
            "patrol.roster.edited": gettext_lazy("手工调整排班"),
            "patrol.leave.added": gettext_lazy("登记巡逻队员请假"),
            "patrol.leave.removed": gettext_lazy("撤销巡逻队员请假"),
            "patrol.wish.added": gettext_lazy("登记排班意愿"),
            "patrol.wish.removed": gettext_lazy("撤销排班意愿"),
        }
    )


def roster_request(*, actor, compound, start: date, days: int):
    """Queue the job that builds ``days`` days of roster from ``start``."""
    if not access.can_manage(actor, compound):
        raise Forbidden
    check_horizon(start, days)
    if not members_of(compound):
        raise Invalid({"compound": [_("本小区还没有巡逻队员，请先组建巡逻队。")]})
    return roster_job_request(
        actor=actor,
        compound=compound,
        start=start,
        days=days,
        kind=JOB_KIND,
        task=TASK,
        action="patrol.roster.requested",
    )


def roster_run(job_id: int, compound_id: int, start: str, days: int) -> dict | None:
    """The background job (see ``core.roster_jobs``): solve, store when a
    roster exists, end the job with the result."""
    return roster_job_run(job_id, compound_id, start, days, roster_build)


def roster_build(*, compound, start: date, days: int, seconds: float = SOLVE_SECONDS) -> dict:
    """Solve and, when a roster keeping every rule exists, replace the horizon's
    shifts with it in one transaction. The result is JSON: status, the
    assignments, the reasons (codes and facts, rendered by ``describe``), the
    people's names and the fairness figures."""
    members = members_of(compound)
    problem = build_problem(compound, start, days, members=members)
    result = engine.solve(problem, time_limit_s=seconds)
    ok = result.status in ("optimal", "feasible")
    saved = 0
    if ok:
        saved = _store(compound, problem, members, result.assignments)
        audit(
            actor=None,
            action="patrol.roster.built",
            compound=compound,
            detail={"start": start.isoformat(), "days": days, "shifts": saved},
        )
    return {
        "status": result.status,
        "compound": compound.pk,
        "start": start.isoformat(),
        "days": days,
        "saved": saved,
        "assignments": [
            {"date": a.day.isoformat(), "shift": a.shift, "user": int(a.guard)}
            for a in engine.model.sort_assignments(result.assignments)
        ]
        if ok
        else [],
        "reasons": [reason_json(r) for r in result.reasons],
        "people": {str(m.user_id): m.user.name for m in members},
        "stats": {
            "nights_min": result.stats.nights_min,
            "nights_max": result.stats.nights_max,
            "shifts_min": result.stats.shifts_min,
            "shifts_max": result.stats.shifts_max,
            "seconds": result.stats.solve_seconds,
        },
    }


def _store(compound, problem, members, assignments) -> int:
    teams = {m.user_id: m.team_id for m in members}
    end = problem.start + timedelta(days=problem.days)
    rows = []
    for a in assignments:
        starts, ends = SHIFT_BY_KEY[a.shift].times(a.day)
        user_id = int(a.guard)
        rows.append(
            RosterShift(
                compound=compound,
                date=a.day,
                shift=a.shift,
                starts_at=starts,
                ends_at=ends,
                user_id=user_id,
                team_id=teams.get(user_id),
            )
        )
    with transaction.atomic():
        _lock(compound)
        RosterShift.objects.filter(
            compound=compound, date__gte=problem.start, date__lt=end
        ).delete()
        RosterShift.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _lock(compound) -> None:
    """One roster write at a time per compound (a build replacing a horizon, a
    hand edit): two builds at once would both delete, then collide inserting."""
    from wanjia.core.models import Compound

    list(Compound.objects.select_for_update().filter(pk=compound.pk).values_list("pk", flat=True))
