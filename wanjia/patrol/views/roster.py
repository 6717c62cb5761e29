"""Roster pages for the security supervisor and the manager: the grid (team ×
days, the shift in each cell, nights and hours per person), the "build roster"
form (a background job whose progress and result show in place), the hand edit
of one cell (saved, then re-checked: the rules it breaks are said in words),
the A4 print view and the Excel export. The guard's phone shows "my next
shifts" through ``my_shifts_context``."""

from datetime import date, timedelta
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.jobs import ACTIVE, with_live_progress
from wanjia.core.roster_jobs import MAX_DAYS, shown_range
from wanjia.core.scoping import compound_gate, gate
from wanjia.core.sheets import safe_cell

from .. import access, selectors_roster
from ..services import rosters

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_DAYS = 28


def _range(params) -> tuple[date, int]:
    return shown_range(
        params, default_start=rosters.week_start(rosters.tonight()), default_days=DEFAULT_DAYS
    )


def _context(request, compound, start, days, **extra) -> dict:
    manage = access.can_manage(request.user, compound)
    g = selectors_roster.grid(compound, start, days)
    problems = rosters.problems_in(compound, start, days)
    names = {str(r.user_id): r.name for r in g["rows"]}
    return {
        "compound": compound,
        "manage": manage,
        "start": start,
        "days": days,
        "end": start + timedelta(days=days - 1),
        "prev": start - timedelta(days=7),
        "next": start + timedelta(days=7),
        "shifts": rosters.SHIFTS,
        "grid": g,
        "problems": rosters.describe_all(problems, names),
        "today": timezone.localdate(),
        "members": rosters.members_of(compound),
        "edit_user": request.GET.get("edit_user", ""),
        "edit_date": request.GET.get("edit_date", ""),
        "errors": {},
        "form": {},
        "edit_errors": {},
        "edit_form": {},
        "leave_errors": {},
        "leave_form": {},
        "wishes": [(w, rosters.wish_label(w)) for w in rosters.wishes_of(compound)],
        "weekdays": rosters.WEEKDAYS,
        "whole_day": rosters.WHOLE_DAY,
        "wish_errors": {},
        "wish_form": {},
        "job": None,
        **extra,
    }


@login_required
def roster(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    start, days = _range(request.GET)
    job = None
    if request.GET.get("job", "").isdigit():
        job = selectors_roster.roster_job_of(compound, int(request.GET["job"]))
    return render(request, "patrol/roster.html", _context(request, compound, start, days, job=job))


@login_required
@require_POST
def build(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_manage)
    start_raw, days_raw = request.POST.get("start", ""), request.POST.get("days", "")
    errors = {}
    try:
        start = date.fromisoformat(start_raw)
    except ValueError:
        start, errors["start"] = None, [_("请填写开始日期（如 2026-03-02）。")]
    try:
        days = int(days_raw)
    except ValueError:
        days, errors["days"] = None, [_("天数应在 1 到 %(n)s 之间。") % {"n": MAX_DAYS}]
    if not errors:
        try:
            job = rosters.roster_request(
                actor=request.user, compound=compound, start=start, days=days
            )
        except Refusal as exc:
            errors = errors_of(exc)
        else:
            query = urlencode({"start": start.isoformat(), "days": days, "job": job.pk})
            return redirect(reverse("patrol_roster", args=[compound.pk]) + "?" + query)
    shown_start, shown_days = _range(request.GET)
    context = _context(request, compound, shown_start, shown_days, errors=errors, form=request.POST)
    return render(request, "patrol/roster.html", context, status=422)


@login_required
def job_part(request, pk):
    """The build job's progress, then its result in words (polled by htmx)."""
    user = request.user
    job = gate(
        user,
        selectors_roster.roster_job_rows(),
        pk,
        compound="compound_id",
        allowed=lambda j: access.can_manage(user, j.compound),
    )
    job = with_live_progress(job)
    result = job.result or {}
    names = result.get("people", {})
    context = {
        "job": job,
        "active": job.status in ACTIVE,
        "result": result,
        "reasons": rosters.describe_all(result.get("reasons", []), names),
        "grid_url": reverse("patrol_roster", args=[job.compound_id])
        + "?"
        + urlencode({"start": result.get("start", ""), "days": result.get("days", DEFAULT_DAYS)}),
    }
    return render(request, "patrol/roster_job.html", context)


@login_required
@require_POST
def cell(request, compound_id):
    """Assign or unassign one person on one day's shift. Saved even when it
    breaks a rule (see ``rosters.roster_edit`` for why); the broken rules are
    shown as warnings on the grid it returns to."""
    compound = compound_gate(request.user, compound_id, access.can_manage)
    post = request.POST
    try:
        day = date.fromisoformat(post.get("date", ""))
    except ValueError:
        day = None
    try:
        broken = rosters.roster_edit(
            actor=request.user,
            compound=compound,
            day=day,
            shift=post.get("shift", ""),
            user_id=post.get("user", ""),
            assign=post.get("action", "assign") != "unassign",
        )
    except Refusal as exc:
        start, days = _range(request.GET)
        context = _context(
            request, compound, start, days, edit_errors=errors_of(exc), edit_form=post
        )
        return render(request, "patrol/roster.html", context, status=422)
    names = {str(m.user_id): m.user.name for m in rosters.members_of(compound)}
    if broken:
        messages.warning(request, _("已保存，但这次调整违反了排班规则："))
        for sentence in rosters.describe_all(broken, names):
            messages.warning(request, sentence)
    else:
        messages.success(request, _("已保存，排班规则均满足。"))
    start, days = _range(request.GET)
    query = urlencode({"start": start.isoformat(), "days": days})
    return redirect(reverse("patrol_roster", args=[compound.pk]) + "?" + query)


def _date_or_none(raw):
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def _side_form(request, compound, save, *, section: str, done: str):
    """A side form of the roster page (leave, wishes): ``save()`` then back to
    the page's section; its field errors in place on the page (422)."""
    try:
        save()
    except Refusal as exc:
        start, days = _range(request.GET)
        context = _context(
            request,
            compound,
            start,
            days,
            **{f"{section}_errors": errors_of(exc), f"{section}_form": request.POST},
        )
        return render(request, "patrol/roster.html", context, status=422)
    messages.success(request, done)
    start, days = _range(request.GET)
    query = urlencode({"start": start.isoformat(), "days": days})
    anchor = {"leave": "#leave", "wish": "#wishes"}[section]
    return redirect(reverse("patrol_roster", args=[compound.pk]) + "?" + query + anchor)


@login_required
@require_POST
def leave_add(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_manage)
    post = request.POST
    return _side_form(
        request,
        compound,
        lambda: rosters.leave_add(
            actor=request.user,
            compound=compound,
            user_id=post.get("user", ""),
            start=_date_or_none(post.get("start")),
            end=_date_or_none(post.get("end")),
            note=post.get("note", ""),
        ),
        section="leave",
        done=_("已登记请假。重新生成排班时会避开这些日期。"),
    )


@login_required
@require_POST
def leave_remove(request, pk):
    user = request.user
    leave = gate(
        user,
        selectors_roster.leave_rows(),
        pk,
        compound="compound_id",
        allowed=lambda r: access.can_manage(user, r.compound),
    )
    compound_id = leave.compound_id
    rosters.leave_remove(actor=user, leave=leave)
    messages.success(request, _("已撤销请假。"))
    return redirect(reverse("patrol_roster", args=[compound_id]) + "#leave")


@login_required
def print_view(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    start, days = _range(request.GET)
    context = _context(request, compound, start, days)
    g = context["grid"]
    context["week_tables"] = [
        {
            "dates": g["dates"][w * 7 : w * 7 + 7],
            "rows": [
                {"row": r, "cells": r.cells[w * 7 : w * 7 + 7], "hours": r.week_hours[w]}
                for r in g["rows"]
            ],
        }
        for w in range(len(g["weeks"]))
    ]
    return render(request, "patrol/roster_print.html", context)


@login_required
def xlsx(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    start, days = _range(request.GET)
    g = selectors_roster.grid(compound, start, days)
    labels = {s.key: str(s.short) for s in rosters.SHIFTS}
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("排班表"))[:31]
    head = [_("姓名"), _("身份")] + [f"{d.month}/{d.day}" for d in g["dates"]]
    head += [_("夜班数"), _("总工时")] + [
        _("第%(n)s周工时") % {"n": n + 1} for n in range(len(g["weeks"]))
    ]
    sheet.append([safe_cell(str(h)) for h in head])
    for r in g["rows"]:
        cells = ["/".join(labels.get(k, k) for k in c) for c in r.cells]
        sheet.append(
            [safe_cell(r.name), safe_cell(r.role_label), *cells, r.nights, r.hours, *r.week_hours]
        )
    for line in g["cover"]:
        sheet.append([safe_cell(str(line["shift"].label)), str(_("在岗人数")), *line["counts"]])
    night = PatternFill("solid", fgColor="DDDDEE")
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=2 + days):
        for c in row:
            c.alignment = Alignment(horizontal="center")
            if c.value == labels["night"]:
                c.fill = night
    for c in sheet[1]:
        c.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 12
    for n in range(3, 3 + days):
        sheet.column_dimensions[get_column_letter(n)].width = 5
    sheet.freeze_panes = "C2"
    sheet.append([])
    sheet.append(
        [
            str(_("班次")),
            "；".join(
                f"{s.label} {s.start:%H:%M}–{(s.hours + s.start.hour) % 24:02d}:00"
                for s in rosters.SHIFTS
            ),
        ]
    )
    out = BytesIO()
    book.save(out)
    name = f"roster-{compound.pk}-{start.isoformat()}.xlsx"
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def my_shifts_context(user) -> dict:
    """For the guard's phone page: the next shifts, with their labels."""
    rows = list(selectors_roster.my_next_shifts(user))
    for row in rows:
        row.label = rosters.shift_label(row.shift)
    return {"my_shifts": rows, "now": timezone.now()}


@login_required
@require_POST
def wish_add(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_manage)
    post = request.POST
    return _side_form(
        request,
        compound,
        lambda: rosters.wish_add(
            actor=request.user,
            compound=compound,
            user_id=post.get("user", ""),
            weekday=post.get("weekday", ""),
            shift=post.get("shift", ""),
            wants=post.get("wants", ""),
            note=post.get("note", ""),
        ),
        section="wish",
        done=_("已登记排班意愿。重新生成排班时会尽量照顾。"),
    )


@login_required
@require_POST
def wish_remove(request, pk):
    user = request.user
    wish = gate(
        user,
        selectors_roster.wish_rows(),
        pk,
        compound="compound_id",
        allowed=lambda r: access.can_manage(user, r.compound),
    )
    compound_id = wish.compound_id
    rosters.wish_remove(actor=user, wish=wish)
    messages.success(request, _("已撤销排班意愿。"))
    return redirect(reverse("patrol_roster", args=[compound_id]) + "#wishes")
