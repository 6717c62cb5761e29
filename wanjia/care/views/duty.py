"""24-hour duty pages: the duty roster (grid, build job, hand edit of a cell,
leave, the duty team, A4 print, Excel), the on-duty board (who is on duty now
and next, who to call with the phone revealed on a tap and audited, the
handovers not yet acknowledged) and the caretaker's phone duty page (my
shifts, write the handover, acknowledge the one left for me)."""

from datetime import date, timedelta
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.jobs import ACTIVE, with_live_progress
from wanjia.core.roster_jobs import shown_range
from wanjia.core.scoping import compound_gate, gate
from wanjia.core.sheets import safe_cell

from .. import access, selectors, selectors_duty
from ..services import duty

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_DAYS = 14


def _range(params) -> tuple[date, int]:
    return shown_range(
        params, default_start=duty.week_start(timezone.localdate()), default_days=DEFAULT_DAYS
    )


def _back(compound, request, anchor=""):
    start, days = _range(request.GET)
    query = urlencode({"start": start.isoformat(), "days": days})
    return redirect(reverse("care_duty", args=[compound.pk]) + "?" + query + anchor)


def _context(request, compound, start, days, **extra) -> dict:
    g = selectors_duty.grid(compound, start, days)
    names = {str(r.user_id): r.name for r in g["rows"]}
    team = duty.team_of(compound)
    team_ids = {u.pk for u in team}
    return {
        "compound": compound,
        "manage": access.can_manage(request.user, compound),
        "start": start,
        "days": days,
        "end": start + timedelta(days=days - 1),
        "prev": start - timedelta(days=7),
        "next": start + timedelta(days=7),
        "shifts": duty.SHIFTS,
        "grid": g,
        "problems": duty.describe_all(duty.problems_in(compound, start, days), names),
        "today": timezone.localdate(),
        "team": team,
        "staff": [(u, u.pk in team_ids) for u in duty.staff_of(compound)],
        "weekly_hours": duty.WEEKLY_HOURS,
        "edit_user": request.GET.get("edit_user", ""),
        "edit_date": request.GET.get("edit_date", ""),
        "errors": {},
        "form": {},
        "edit_errors": {},
        "edit_form": {},
        "leave_errors": {},
        "leave_form": {},
        "team_errors": {},
        "job": None,
        "tab": "duty",
        **extra,
    }


@login_required
def roster(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    start, days = _range(request.GET)
    job = None
    if request.GET.get("job", "").isdigit():
        job = selectors_duty.duty_job_of(compound, int(request.GET["job"]))
    return render(request, "care/duty.html", _context(request, compound, start, days, job=job))


def _failed(request, compound, **extra):
    start, days = _range(request.GET)
    return render(
        request, "care/duty.html", _context(request, compound, start, days, **extra), status=422
    )


def _date_or_none(raw):
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


@login_required
@require_POST
def build(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_manage)
    start = _date_or_none(request.POST.get("start"))
    try:
        days = int(request.POST.get("days", ""))
    except ValueError:
        days = None
    try:
        job = duty.duty_request(actor=request.user, compound=compound, start=start, days=days)
    except Refusal as exc:
        return _failed(request, compound, errors=errors_of(exc), form=request.POST)
    query = urlencode({"start": start.isoformat(), "days": days, "job": job.pk})
    return redirect(reverse("care_duty", args=[compound.pk]) + "?" + query)


@login_required
def job_part(request, pk):
    user = request.user
    job = gate(
        user,
        selectors_duty.duty_job_rows(),
        pk,
        compound="compound_id",
        allowed=lambda j: access.can_manage(user, j.compound),
    )
    job = with_live_progress(job)
    result = job.result or {}
    return render(
        request,
        "care/duty_job.html",
        {
            "job": job,
            "active": job.status in ACTIVE,
            "result": result,
            "reasons": duty.describe_all(result.get("reasons", []), result.get("people", {})),
            "grid_url": reverse("care_duty", args=[job.compound_id])
            + "?"
            + urlencode(
                {"start": result.get("start", ""), "days": result.get("days", DEFAULT_DAYS)}
            ),
        },
    )


@login_required
@require_POST
def cell(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_manage)
    post = request.POST
    try:
        broken = duty.duty_edit(
            actor=request.user,
            compound=compound,
            day=_date_or_none(post.get("date")),
            shift=post.get("shift", ""),
            user_id=post.get("user", ""),
            assign=post.get("action", "assign") != "unassign",
        )
    except Refusal as exc:
        return _failed(request, compound, edit_errors=errors_of(exc), edit_form=post)
    names = {str(u.pk): u.name for u in duty.team_of(compound)}
    if broken:
        messages.warning(request, _("已保存，但这次调整违反了排班规则："))
        for sentence in duty.describe_all(broken, names):
            messages.warning(request, sentence)
    else:
        messages.success(request, _("已保存，排班规则均满足。"))
    return _back(compound, request)


@login_required
@require_POST
def leave_add(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_manage)
    post = request.POST
    try:
        duty.leave_add(
            actor=request.user,
            compound=compound,
            user_id=post.get("user", ""),
            start=_date_or_none(post.get("start")),
            end=_date_or_none(post.get("end")),
            note=post.get("note", ""),
        )
    except Refusal as exc:
        return _failed(request, compound, leave_errors=errors_of(exc), leave_form=post)
    messages.success(request, _("已登记请假。重新生成排班时会避开这些日期。"))
    return _back(compound, request, "#leave")


@login_required
@require_POST
def leave_remove(request, pk):
    user = request.user
    leave = gate(
        user,
        selectors_duty.leave_rows(),
        pk,
        compound="compound_id",
        allowed=lambda r: access.can_manage(user, r.compound),
    )
    compound_id = leave.compound_id
    duty.leave_remove(actor=user, leave=leave)
    messages.success(request, _("已撤销请假。"))
    return redirect(reverse("care_duty", args=[compound_id]) + "#leave")


@login_required
@require_POST
def team(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_manage)
    try:
        duty.team_set(actor=request.user, compound=compound, user_ids=request.POST.getlist("team"))
    except Refusal as exc:
        return _failed(request, compound, team_errors=errors_of(exc))
    messages.success(request, _("已保存值班人员。"))
    return _back(compound, request, "#team")


@login_required
def print_view(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    start, days = _range(request.GET)
    context = _context(request, compound, start, days)
    g = context["grid"]
    context["week_tables"] = [
        {
            "dates": g["dates"][w : w + 7],
            "rows": [{"row": r, "cells": r.cells[w : w + 7]} for r in g["rows"]],
        }
        for w in range(0, days, 7)
    ]
    return render(request, "care/duty_print.html", context)


@login_required
def xlsx(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    start, days = _range(request.GET)
    g = selectors_duty.grid(compound, start, days)
    labels = {s.key: str(s.short) for s in duty.SHIFTS}
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("值班表"))[:31]
    head = [_("姓名")] + [f"{d.month}/{d.day}" for d in g["dates"]] + [_("夜班数"), _("总工时")]
    sheet.append([safe_cell(str(h)) for h in head])
    for r in g["rows"]:
        cells = ["/".join(labels.get(k, k) for k in c) for c in r.cells]
        sheet.append([safe_cell(r.name), *cells, r.nights, r.hours])
    for line in g["cover"]:
        sheet.append([safe_cell(str(line["shift"].label)), *line["counts"]])
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=1 + days):
        for c in row:
            c.alignment = Alignment(horizontal="center")
    for c in sheet[1]:
        c.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    sheet.append([])
    sheet.append(
        [str(_("班次")), "；".join(f"{s.label} {s.span}" for s in duty.SHIFTS)],
    )
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = f"care-duty-{compound.pk}-{start.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---- the on-duty board and handovers -------------------------------------------------------------


@login_required
def board(request, compound_id):
    compound = compound_gate(request.user, compound_id, duty.may_see_duty)
    context = {
        **selectors_duty.board(compound),
        "compound": compound,
        "manage": access.can_manage(request.user, compound),
        "viewer": access.can_view(request.user, compound),
        "tab": "board",
        "errors": {},
    }
    if request.htmx and request.GET.get("part") == "board":
        return render(request, "care/_duty_board.html", context)
    return render(request, "care/duty_board.html", context)


@login_required
@require_POST
def reveal(request, pk):
    user = request.user
    shift = gate(
        user,
        selectors_duty.shift_rows(),
        pk,
        compound="compound_id",
        allowed=lambda s: duty.may_see_duty(user, s.compound),
    )
    try:
        phone = duty.phone_reveal(actor=user, shift=shift)
    except Refusal as exc:
        return HttpResponse(exc.message, status=exc.status)
    if request.htmx:
        return HttpResponse(format_html('<a class="btn" href="tel:{0}">{0}</a>', phone))
    messages.info(request, phone)
    return redirect(
        request.POST.get("next") or reverse("care_duty_board", args=[shift.compound_id])
    )


def _safe_next(request, fallback):
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(fallback)


@login_required
@require_POST
def handover_new(request, compound_id):
    compound = compound_gate(request.user, compound_id, duty.may_see_duty)
    try:
        duty.handover_write(
            actor=request.user, compound=compound, text=request.POST.get("text", "")
        )
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        for msgs in errors_of(exc).values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, _("已交班，等待接班人确认。"))
    return _safe_next(request, reverse("care_duty_board", args=[compound.pk]))


@login_required
@require_POST
def handover_ack(request, pk):
    user = request.user
    note = gate(
        user,
        selectors_duty.handover_rows(),
        pk,
        compound="compound_id",
        allowed=lambda h: duty.may_see_duty(user, h.compound),
    )
    try:
        duty.handover_acknowledge(actor=user, handover=note)
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认接班。"))
    return _safe_next(request, reverse("care_duty_board", args=[note.compound_id]))


@login_required
def h5_duty(request):
    """The caretaker's phone: my duty shifts, who is on duty now in my
    compounds, the handover to acknowledge and the form to write one."""
    user = request.user
    if not access.visits_anywhere(user):
        raise PermissionDenied
    compounds = list(selectors.compounds_for(user, "care.visit"))
    mine_ids = set(selectors_duty.duty_compounds(user))
    boards = [
        {**selectors_duty.board(c), "compound": c, "on_duty": c.pk in mine_ids} for c in compounds
    ]
    return render(
        request,
        "care/h5_duty.html",
        {"mine": selectors_duty.my_duty(user), "boards": boards, "tab": "home"},
    )
