"""A compound's tickets as an Excel workbook and its figures per category."""

from datetime import date, timedelta
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.sheets import safe_cell

from .. import access, selectors
from ..models import Place
from .console import XLSX, _compound


def _date(raw, default):
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return default


def _yes(value):
    return "" if value is None else (_("是") if value else _("否"))


def _hm(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@login_required
def export(request, compound_id):
    """The compound's tickets of a period (the last 30 days by default) as Excel."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    compound = _compound(request, compound_id, access.can_manage)
    today = timezone.localdate()
    end = _date(request.GET.get("end"), today)
    start = _date(request.GET.get("start"), end - timedelta(days=29))
    if start > end or (end - start).days > 366:
        start = end - timedelta(days=29)
    now = timezone.now()
    from .. import sla

    book = Workbook()
    sheet = book.active
    sheet.title = str(_("报修工单"))[:31]
    head = [
        _("单号"),
        _("提交时间"),
        _("类别"),
        _("标题"),
        _("位置"),
        _("来源"),
        _("状态"),
        _("处理人"),
        _("响应时限"),
        _("受理时间"),
        _("按时响应"),
        _("完成时限"),
        _("首次完成"),
        _("按时完成"),
        _("重开次数"),
        _("评分"),
        _("评价"),
        _("回访记录"),
    ]
    sheet.append([str(h) for h in head])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for t in selectors.export_rows(compound, start, end):
        place = t.household.label if t.place_kind == Place.UNIT and t.household else t.place
        sheet.append(
            [
                safe_cell(v)
                for v in (
                    t.pk,
                    _hm(t.created_at),
                    t.category.name,
                    t.title,
                    place,
                    t.get_source_display(),
                    t.get_status_display(),
                    (t.assignee.display_name or t.assignee.username) if t.assignee else "",
                    _hm(t.respond_by),
                    _hm(t.accepted_at),
                    _yes(sla.respond_met(t, now)),
                    _hm(t.finish_by),
                    _hm(t.first_done_at),
                    _yes(sla.finish_met(t, now)),
                    t.reopen_count,
                    t.rating or "",
                    t.rating_comment,
                    t.visit_note,
                )
            ]
        )
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    audit(
        actor=request.user,
        action="tickets.export",
        obj=compound,
        detail={"start": start.isoformat(), "end": end.isoformat()},
    )
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = f"tickets-{compound.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def figures_page(request, compound_id):
    compound = _compound(request, compound_id, access.can_work)
    end = timezone.localdate()
    start = end - timedelta(days=29)
    ids = [compound.pk]
    return render(
        request,
        "tickets/figures.html",
        {
            "compound": compound,
            "start": start,
            "end": end,
            "rows": selectors.category_breakdown(compound, start, end),
            "opened": selectors.opened(ids, start, end),
            "respond": selectors.respond_rate(ids, start, end),
            "finish": selectors.finish_rate(ids, start, end),
            "reopen": selectors.reopen_rate(ids, start, end),
            "rating": selectors.avg_rating(ids, start, end),
            "manage": access.can_manage(request.user, compound),
            "tab": "figures",
        },
    )
