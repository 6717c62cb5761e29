"""The hours ledger of a compound over a period, on the page and as Excel."""

from datetime import date, timedelta
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from wanjia.core.audit import audit
from wanjia.core.sheets import safe_cell

from .. import access, selectors
from ..services.wall import stars_for
from .console import _compound, _ctx


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
