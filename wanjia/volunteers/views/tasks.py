"""Console pages for tasks: post one, the roster of sign-ups, cancel it, and
confirm the hours each volunteer served."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import gate

from .. import access, selectors, services
from ..models import TeamKind
from ..services.tasks import default_minutes
from .console import _compound, _ctx, _refused, _safe_next


def _when(day: str, hm: str):
    try:
        d = date.fromisoformat(day)
        t = datetime.strptime(hm, "%H:%M").time()
    except (TypeError, ValueError):
        return None
    if not 2000 <= d.year <= 2100:
        return None
    return timezone.make_aware(datetime.combine(d, t))


def _int(raw, default=None):
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 9 else default


def _task_fields(post) -> dict:
    day = post.get("day", "")
    starts = _when(day, post.get("start", ""))
    ends = _when(day, post.get("end", ""))
    if starts and ends and ends <= starts:  # a night round past midnight
        ends += timedelta(days=1)
    return {
        "title": post.get("title", ""),
        "kind": post.get("kind", ""),
        "place": post.get("place", ""),
        "detail": post.get("detail", ""),
        "starts_at": starts,
        "ends_at": ends,
        "places": _int(post.get("places"), -1),
        "source": post.get("source", "")[:60],
    }


@login_required
def tasks(request, compound_id):
    compound = _compound(request, compound_id, access.can_post)
    errors, form = {}, {}
    if request.method == "POST":
        form = request.POST
        try:
            task = services.task_post(
                actor=request.user, compound=compound, **_task_fields(request.POST)
            )
        except Refusal as exc:
            _refused(exc)
            errors = errors_of(exc)
            if request.POST.get("next"):
                messages.error(request, " ".join(m for ms in errors.values() for m in ms))
                return redirect(_safe_next(request, request.path))
        else:
            messages.success(request, _("任务已发布，志愿者可以报名了。"))
            return redirect(_safe_next(request, f"/console/volunteers/tasks/{task.pk}/"))
    tomorrow = timezone.localdate() + timedelta(days=1)
    return render(
        request,
        "volunteers/tasks.html",
        _ctx(
            request,
            compound,
            "tasks",
            upcoming=selectors.tasks_of(compound, upcoming=True)[:100],
            past=selectors.tasks_of(compound, upcoming=False)[:30],
            unconfirmed=selectors.to_confirm(compound).count(),
            kinds=TeamKind.choices,
            errors=errors,
            form=form,
            default_day=tomorrow.isoformat(),
        ),
        status=422 if errors else 200,
    )


def _task(request, pk, allowed):
    user = request.user
    return gate(
        user,
        selectors.task_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda t: allowed(user, t),
    )


@login_required
def task_detail(request, pk):
    task = _task(request, pk, lambda u, t: access.can_post(u, t.compound))
    rows = list(selectors.roster(task))
    for s in rows:
        s.proposed = default_minutes(s)
    return render(
        request,
        "volunteers/task.html",
        _ctx(
            request,
            task.compound,
            "tasks",
            task=task,
            roster=rows,
            may_confirm=access.may_confirm(request.user, task),
            started=task.starts_at <= timezone.now(),
        ),
    )


@login_required
@require_POST
def task_cancel(request, pk):
    task = _task(request, pk, lambda u, t: access.may_confirm(u, t))
    try:
        services.task_cancel(actor=request.user, task=task)
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("任务已取消，已通知报名的志愿者。"))
    return redirect("volunteers_task", task.pk)


@login_required
@require_POST
def confirm(request, pk):
    user = request.user
    row = gate(
        user,
        selectors.signup_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda s: access.may_confirm(user, s.task),
    )
    try:
        services.hours_confirm(
            actor=user, signup=row, minutes=_int(request.POST.get("minutes"), -1)
        )
    except Refusal as exc:
        _refused(exc)
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(
            request, _("时长已确认，计入 %(n)s 的服务记录。") % {"n": row.volunteer.name}
        )
    return redirect("volunteers_task", row.task_id)
