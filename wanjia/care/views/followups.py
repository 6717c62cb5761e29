"""Console pages: the needs-help follow-ups of a compound (open ones by due
time with the overdue marked, closed ones; close with a note, hand to another
owner) and the figures per caretaker (visits on time, missed, escalations and
their median minutes to a person reached, people overdue) with its Excel."""

from datetime import date, timedelta
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import compound_gate, gate
from wanjia.core.sheets import safe_cell

from .. import access, selectors, selectors_duty, services
from ..models import FollowUp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def followups(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    status = "closed" if request.GET.get("status") == "closed" else "open"
    return render(
        request,
        "care/followups.html",
        {
            "compound": compound,
            "rows": selectors_duty.followups_of(compound, status=status),
            "status": status,
            "now": timezone.now(),
            "owners": selectors_duty.owner_choices(compound),
            "manage": access.can_manage(request.user, compound),
            "tab": "followups",
        },
    )


def _followup(request, pk) -> FollowUp:
    user = request.user
    return gate(
        user,
        selectors_duty.followup_rows(),
        pk,
        compound="compound_id",
        allowed=lambda f: services.followups.may_handle(user, f),
    )


def _back(request, f):
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("care_followups", f.compound_id)


@login_required
@require_POST
def followup_close(request, pk):
    f = _followup(request, pk)
    try:
        services.followup_close(actor=request.user, followup=f, note=request.POST.get("note", ""))
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        for msgs in errors_of(exc).values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, _("已办结。"))
    return _back(request, f)


@login_required
@require_POST
def followup_owner(request, pk):
    f = _followup(request, pk)
    raw = request.POST.get("owner", "")
    owner = selectors.users_by_ids([int(raw)]) if raw.isdigit() else []
    try:
        services.followup_reassign(
            actor=request.user, followup=f, owner=owner[0] if owner else None
        )
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        for msgs in errors_of(exc).values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, _("已更换负责人。"))
    return _back(request, f)


def _period(params) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(params.get("start", ""))
    except ValueError:
        start = today - timedelta(days=29)
    try:
        end = date.fromisoformat(params.get("end", ""))
    except ValueError:
        end = today
    if end < start or (end - start).days > 366:
        start, end = today - timedelta(days=29), today
    return start, end


@login_required
def caretakers(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    start, end = _period(request.GET)
    return render(
        request,
        "care/caretakers.html",
        {
            "compound": compound,
            "rows": selectors_duty.caretaker_figures(compound, start, end),
            "start": start,
            "end": end,
            "manage": access.can_manage(request.user, compound),
            "tab": "caretakers",
        },
    )


@login_required
def caretakers_xlsx(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    start, end = _period(request.GET)
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("探访人统计"))[:31]
    sheet.append([safe_cell(f"{compound.name} {start.isoformat()} – {end.isoformat()}")])
    head = [
        _("探访人"),
        _("应访次数"),
        _("按时完成率 %"),
        _("漏访次数"),
        _("升级次数"),
        _("确认平安用时中位数（分钟）"),
        _("逾期未探访人数"),
    ]
    sheet.append([str(h) for h in head])
    for c in sheet[2]:
        c.font = Font(bold=True)
    for r in selectors_duty.caretaker_figures(compound, start, end):
        sheet.append(
            [
                safe_cell(r["name"]),
                r["due"],
                r["on_time_pct"],
                r["missed"],
                r["escalations"],
                r["median_minutes"],
                r["overdue"],
            ]
        )
    sheet.column_dimensions["A"].width = 14
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = f"care-caretakers-{compound.pk}-{start.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
