"""The day's bookings as an Excel workbook (the same rows as the printed list)."""

from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from wanjia.core.sheets import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roster_rows(bookings) -> list[list]:
    rows = [
        [
            _("服务"),
            _("时间"),
            _("服务人员/设备"),
            _("住户"),
            _("状态"),
            _("代约"),
            _("备注"),
        ]
    ]
    for b in bookings:
        rows.append(
            [
                b.service.name,
                timezone.localtime(b.slot.starts_at).strftime("%Y-%m-%d %H:%M"),
                b.slot.resource,
                b.household.label,
                b.get_status_display(),
                _("是") if b.on_behalf else "",
                b.note,
            ]
        )
    return rows


def xlsx_response(title: str, rows: list[list], filename: str) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFG", (16, 18, 14, 22, 10, 6, 30), strict=False):
        sheet.column_dimensions[col].width = width
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
