"""Console pages: applications (approve, decline with a reason), teams and
leaders, tasks (post, the roster of sign-ups, confirm hours), the hours
ledger (and its Excel export) and the thanks wall's moderation."""

from datetime import date, datetime, timedelta
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from wanjia.core.audit import audit
from wanjia.core.errors import Invalid, Refusal, errors_of
from wanjia.core.scoping import gate
from wanjia.core.sheets import safe_cell

from .. import access, selectors, services
from ..models import AppStatus, TeamKind, ThanksStatus
from ..services.tasks import default_minutes
from ..services.wall import stars_for


def _compound(request, compound_id, allowed):
    user = request.user
    return gate(
        user,
        selectors.compounds_seen(user),
        compound_id,
        compound="id",
        allowed=lambda c: allowed(user, c),
    )


def _refused(exc):
    if exc.status == 403:
        raise PermissionDenied from None


@login_required
def home(request):
    compounds = list(selectors.compounds_console(request.user))
    if not compounds:
        raise PermissionDenied
    if len(compounds) == 1:
        return tasks(request, compounds[0].pk)
    return render(request, "volunteers/home.html", {"compounds": compounds})


def _ctx(request, compound, tab, **more):
    return {
        "compound": compound,
        "tab": tab,
        "manage": access.can_manage(request.user, compound),
        **more,
    }


# ---- applications and volunteers --------------------------------------------------


@login_required
def people(request, compound_id):
    compound = _compound(request, compound_id, access.can_manage)
    q = request.GET.get("q", "")[:20]
    totals = selectors.lifetime_minutes(compound)
    rows = list(selectors.volunteers_of(compound, q)[:300])
    for v in rows:
        v.minutes = totals.get(v.pk, 0)
        v.stars = stars_for(v.minutes)
    return render(
        request,
        "volunteers/people.html",
        _ctx(
            request,
            compound,
            "people",
            pending=selectors.applications(compound),
            declined=selectors.applications(compound, AppStatus.DECLINED)[:20],
            volunteers=rows,
            q=q,
            teams=TeamKind.choices,
        ),
    )


def _volunteer(request, pk):
    user = request.user
    return gate(
        user,
        selectors.volunteer_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda v: access.can_manage(user, v.compound),
    )


@login_required
@require_POST
def decide(request, pk):
    volunteer = _volunteer(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.application_decide(
            actor=request.user,
            volunteer=volunteer,
            approve=approve,
            reason=request.POST.get("reason", ""),
            teams=request.POST.getlist("teams"),
        )
    except Refusal as exc:
        _refused(exc)
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("已通过。") if approve else _("已告知申请人未通过的原因。"))
    return redirect("volunteers_people", volunteer.compound_id)


@login_required
def volunteer_detail(request, pk):
    volunteer = _volunteer(request, pk)
    minutes = selectors.minutes_of(volunteer)
    return render(
        request,
        "volunteers/volunteer.html",
        _ctx(
            request,
            volunteer.compound,
            "people",
            v=volunteer,
            hours=round(minutes / 60, 1),
            stars=stars_for(minutes),
            ledger=selectors.ledger_of(volunteer)[:100],
            certificates=selectors.certificates_of(volunteer)[:10],
            thanks=selectors.thanks_count("volunteer", volunteer.pk),
        ),
    )


@login_required
@require_POST
def volunteer_certificate(request, pk):
    volunteer = _volunteer(request, pk)
    try:
        cert = services.certificate_issue(actor=request.user, volunteer=volunteer)
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
        return redirect("volunteers_volunteer", volunteer.pk)
    return redirect("volunteers_certificate", cert.pk)


# ---- teams -------------------------------------------------------------------------


@login_required
def teams(request, compound_id):
    compound = _compound(request, compound_id, access.can_manage)
    services.ensure_teams(compound)
    return render(
        request,
        "volunteers/teams.html",
        _ctx(
            request,
            compound,
            "teams",
            teams=selectors.teams_of(compound),
            volunteers=selectors.volunteers_of(compound)[:300],
        ),
    )


@login_required
@require_POST
def team_edit(request, pk):
    user = request.user
    team = gate(
        user,
        selectors.team_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda t: access.can_manage(user, t.compound),
    )
    ids = {int(x) for x in request.POST.getlist("members") if x.isdigit() and len(x) < 18}
    raw = request.POST.get("leader", "")
    leader_id = int(raw) if raw.isdigit() and len(raw) < 18 else None
    found = selectors.volunteers_by_ids(team.compound, ids | ({leader_id} if leader_id else set()))
    by_id = {v.pk: v for v in found}
    try:
        if leader_id and leader_id not in by_id:
            raise Invalid({"leader": _("队长须是本小区已通过审核的志愿者。")})
        services.team_set(
            actor=user,
            team=team,
            leader=by_id.get(leader_id) if leader_id else None,
            members=[by_id[i] for i in ids if i in by_id],
        )
    except Refusal as exc:
        _refused(exc)
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("已保存。"))
    return redirect("volunteers_teams", team.compound_id)


# ---- tasks -------------------------------------------------------------------------


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


def _safe_next(request, fallback):
    nxt = request.POST.get("next", "")
    if (
        nxt.startswith("/")
        and not nxt.startswith("//")
        and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})
    ):
        return nxt
    return fallback


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


# ---- hours ledger ------------------------------------------------------------------


def _period(request):
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today.replace(day=1) - timedelta(days=150)
        start = start.replace(day=1)
    try:
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    if end < start:
        start, end = end, start
    return start, end


@login_required
def ledger(request, compound_id):
    compound = _compound(request, compound_id, access.can_manage)
    start, end = _period(request)
    totals = list(selectors.ledger_totals(compound, start, end)[:500])
    lifetime = selectors.lifetime_minutes(compound)
    for row in totals:
        row["hours"] = round(row["minutes"] / 60, 1)
        row["stars"] = stars_for(lifetime.get(row["volunteer_id"], 0))
    if request.GET.get("format") == "xlsx":
        return _xlsx(request, compound, start, end)
    return render(
        request,
        "volunteers/ledger.html",
        _ctx(
            request,
            compound,
            "hours",
            totals=totals,
            start=start,
            end=end,
            total_hours=round(sum(r["minutes"] for r in totals) / 60, 1),
        ),
    )


def _xlsx(request, compound, start, end):
    book = Workbook()
    summary = book.active
    summary.title = str(_("汇总"))[:31]
    summary.append([str(_("志愿者")), str(_("次数")), str(_("时长（小时）")), str(_("星级"))])
    lifetime = selectors.lifetime_minutes(compound)
    for row in selectors.ledger_totals(compound, start, end):
        summary.append(
            [
                safe_cell(row["volunteer__name"]),
                row["n"],
                round(row["minutes"] / 60, 1),
                stars_for(lifetime.get(row["volunteer_id"], 0)),
            ]
        )
    detail = book.create_sheet(str(_("明细"))[:31])
    detail.append(
        [
            str(_("志愿者")),
            str(_("服务日期")),
            str(_("服务内容")),
            str(_("时长（小时）")),
            str(_("确认人")),
        ]
    )
    for e in selectors.ledger(compound, start, end).iterator():
        who = e.confirmed_by.display_name or e.confirmed_by.username if e.confirmed_by else ""
        detail.append(
            [
                safe_cell(e.volunteer.name),
                e.day.isoformat(),
                safe_cell(e.what),
                round(e.minutes / 60, 2),
                safe_cell(who),
            ]
        )
    for sheet in (summary, detail):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    audit(
        actor=request.user,
        action="volunteers.ledger.exported",
        compound=compound,
        detail={"start": start.isoformat(), "end": end.isoformat()},
    )
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"volunteer-hours-{compound.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---- thanks ------------------------------------------------------------------------


@login_required
def thanks(request, compound_id):
    compound = _compound(request, compound_id, access.sees_wall_console)
    manage = access.can_manage(request.user, compound)
    status = request.GET.get("status", ThanksStatus.PENDING if manage else ThanksStatus.SHOWN)
    if status not in ThanksStatus.values or not manage:
        status = ThanksStatus.SHOWN if not manage else ThanksStatus.PENDING
    return render(
        request,
        "volunteers/thanks.html",
        _ctx(
            request,
            compound,
            "thanks",
            rows=selectors.thanks_of(compound, status)[:200],
            status=status,
            statuses=ThanksStatus.choices,
            tally=selectors.thanks_tally(compound),
        ),
    )


@login_required
@require_POST
def thanks_moderate(request, pk):
    user = request.user
    row = gate(
        user,
        selectors.thanks_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda t: access.can_manage(user, t.compound),
    )
    try:
        services.thanks_moderate(actor=user, thanks=row, show=request.POST.get("show") == "1")
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理。"))
    return redirect(f"/console/volunteers/c/{row.compound_id}/thanks/")
