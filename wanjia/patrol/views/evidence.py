"""The monthly evidence report for the 平安小区 rating: one compound, one month,
every figure with its definition; printable on A4 and exported to Excel."""

import re
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from wanjia.core.scoping import compound_gate
from wanjia.core.sheets import safe_cell

from .. import access, evidence, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(raw) -> tuple[int, int, dict]:
    """``YYYY-MM`` from the query (this month when absent); a bad one is a
    field error and the current month is shown."""
    today = timezone.localdate()
    raw = (raw or "").strip()
    if not raw:
        return today.year, today.month, {}
    found = MONTH.match(raw)
    if found and 2000 <= int(found[1]) <= 2100 and 1 <= int(found[2]) <= 12:
        return int(found[1]), int(found[2]), {}
    return today.year, today.month, {"month": [_("月份格式应为 年-月，如 2026-03。")]}


def _shift(year, month, by) -> str:
    n = year * 12 + month - 1 + by
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


@login_required
def report(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    year, month, errors = _month(request.GET.get("month"))
    data = evidence.evidence(compound, year, month)
    return render(
        request,
        "patrol/evidence.html",
        {
            **data,
            "d": evidence.DEFINITIONS,
            "month_value": f"{year:04d}-{month:02d}",
            "prev_month": _shift(year, month, -1),
            "next_month": _shift(year, month, 1),
            "manage": access.can_manage(request.user, compound),
            "errors": errors,
            "printed_at": timezone.localtime(),
        },
        status=422 if errors else 200,
    )


@login_required
def report_xlsx(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    year, month, errors = _month(request.GET.get("month"))
    if errors:  # the page again, with the field error
        return report(request, compound_id)
    data = evidence.evidence(compound, year, month)
    response = HttpResponse(_xlsx(workbook(sheets(data))), content_type=XLSX)
    name = f"patrol-evidence-{compound.code}-{year:04d}-{month:02d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _pct(value):
    return None if value is None else round(value * 100, 1)


def _num(value, digits=1):
    return None if value is None else round(value, digits)


def _hm(moment) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def sheets(data) -> list[tuple[str, list[list]]]:
    d = evidence.DEFINITIONS
    cover = data["outposts"]
    summary = [
        [_("指标"), _("数值"), _("口径")],
        [_("小区"), data["compound"].name, ""],
        [_("月份"), f"{data['year']:04d}-{data['month']:02d}", str(d["window"])],
        [_("排定轮次"), data["rounds_planned"], str(d["rounds_planned"])],
        [_("完成轮次"), data["rounds_done"], str(d["rounds_done"])],
        [_("巡更完成率（%）"), _pct(data["completion"]), str(d["completion"])],
        [_("漏点"), data["missed"], str(d["missed"])],
        [_("每百点漏巡"), _num(data["missed_per_100"]), str(d["missed_per_100"])],
        [_("签到次数"), data["checkins"], ""],
        [_("带提示的签到"), data["flagged"], str(d["flags"])],
        [_("巡逻发现"), data["incidents"], str(d["incidents"])],
        [_("已转交"), data["handed"], ""],
        [_("响应时间中位数（分钟）"), _num(data["response_median"], 0), str(d["response"])],
        [_("岗哨值守率（%）"), _pct(cover["share"]), str(d["cover"])],
        [_("缺岗次数"), cover["gaps"], str(d["gaps"])],
    ]
    missed = [[_("夜"), _("路线"), _("巡更点"), _("应到时间")]] + [
        [
            selectors.current_night(s.due_at).isoformat(),
            s.run.route.name,
            s.checkpoint.name,
            _hm(s.due_at),
        ]
        for s in data["missed_rows"]
    ]
    flags = [[_("提示"), _("签到次数")]] + [[f["label"], f["count"]] for f in data["flags"]]
    incidents = [[_("类别"), *data["severities"], _("合计")]] + [
        [r["label"], *r["counts"], r["total"]] for r in data["incident_rows"]
    ]
    outposts = [
        [_("岗哨"), _("要求值守（分钟）"), _("在岗（分钟）"), _("值守率（%）"), _("缺岗次数")]
    ] + [
        [
            r["outpost"].name,
            round(r["required"]),
            round(r["staffed"]),
            _pct(r["share"]),
            r["gaps"],
        ]
        for r in cover["rows"]
    ]
    gaps = [[_("岗哨"), _("夜"), _("缺岗开始"), _("缺岗结束")]] + [
        [r["outpost"].name, night.isoformat(), _hm(g[0]), _hm(g[1])]
        for r in cover["rows"]
        for night, g in r["gap_list"]
    ]
    guards = [[_("巡逻人员"), _("签到次数"), _("带提示"), _("参与轮次"), _("完成率（%）")]] + [
        [g["name"], g["checkins"], g["flagged"], g["rounds"], _pct(g["completion"])]
        for g in data["guards"]
    ]
    return [
        (_("概要"), summary),
        (_("漏点"), missed),
        (_("签到提示"), flags),
        (_("巡逻发现"), incidents),
        (_("岗哨值守"), outposts),
        (_("缺岗时段"), gaps),
        (_("巡逻人员"), guards),
    ]


def workbook(sheets: list[tuple[str, list[list]]]) -> Workbook:
    """Sheets of rows; the first row of each is a bold header."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title=str(title)[:31])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        for cell in sheet[1] if rows else []:
            cell.font = Font(bold=True)
        widths: list[int] = []
        for row in rows[:200]:
            for n, value in enumerate(row):
                size = sum(2 if ord(ch) > 127 else 1 for ch in str("" if value is None else value))
                if n >= len(widths):
                    widths.append(8)
                widths[n] = min(max(widths[n], size + 2), 60)
        for n, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = width
        sheet.freeze_panes = "A2"
    return book


def _xlsx(book: Workbook) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()
