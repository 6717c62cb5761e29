"""Excel workbooks and QR codes for the print-outs: purchase orders, pick lists
and bag labels (the same data the A4 pages show)."""

from io import BytesIO

import segno
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from wanjia.core.sheets import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def qr_svg(text: str, *, scale: int = 3) -> str:
    """An inline SVG QR code (error correction M: a creased label still scans).

    The mask pattern is fixed instead of chosen by trying all eight: any mask
    decodes, the search only polishes the look, and it is four fifths of the
    time (7 ms → 1.4 ms a code; a window has thousands of bags)."""
    code = segno.make_qr(text, error="m", mask=QR_MASK)
    return code.svg_inline(scale=scale, border=2, omitsize=False)


QR_MASK = 2


def workbook(sheets: list[tuple[str, list[list]]]) -> Workbook:
    """Sheets of rows; the first row of each is a bold header."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title=str(title)[:31])
        for row in rows:
            sheet.append([_cell(v) for v in row])
        for cell in sheet[1] if rows else []:
            cell.font = Font(bold=True)
        for n, width in enumerate(_widths(rows), start=1):
            sheet.column_dimensions[get_column_letter(n)].width = width
        sheet.freeze_panes = "A2"
    return book


def _cell(value):
    # openpyxl writes Decimal as a number and aware datetimes not at all.
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return safe_cell(value)  # text such as "=HYPERLINK(...)" never becomes a formula


def _widths(rows: list[list]) -> list[int]:
    widths: list[int] = []
    for row in rows[:200]:
        for n, value in enumerate(row):
            size = sum(2 if ord(ch) > 127 else 1 for ch in str(value if value is not None else ""))
            if n >= len(widths):
                widths.append(8)
            widths[n] = min(max(widths[n], size + 2), 60)
    return widths


def xlsx_bytes(book: Workbook) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(book: Workbook, filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(book), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def purchase_rows(purchase_orders) -> list[tuple[str, list[list]]]:
    sheets = []
    for po in purchase_orders:
        rows = [
            [_("品名"), _("规格"), _("单位"), _("订购需求"), _("采购数量"), _("进价"), _("金额")]
        ]
        for line in po.lines.all():
            rows.append(
                [
                    line.item.name,
                    line.item.spec,
                    line.item.unit,
                    line.demand_qty,
                    line.order_qty,
                    line.unit_cost,
                    line.amount,
                ]
            )
        rows.append(["", "", "", "", "", _("合计"), po.total])
        sheets.append((f"{po.supplier.name}"[:31], rows))
    return sheets


def bag_rows(picklists, qr_url) -> list[tuple[str, list[list]]]:
    """Two sheets: the pick list (building, item, units) and one row per bag
    (the label's data, with the hand-off link its QR code carries)."""
    picks = [[_("小区"), _("楼栋"), _("品名"), _("数量"), _("单位")]]
    labels = [
        [
            _("订单号"),
            _("住户编码"),
            _("小区"),
            _("楼栋"),
            _("房号"),
            _("取货方式"),
            _("物品"),
            _("金额"),
            _("交付链接"),
        ]
    ]
    for entry in picklists:
        for item, units in entry["totals"]:
            picks.append(
                [entry["compound"].name, entry["building"].name, item.name, units, item.unit]
            )
        for bag in entry["bags"]:
            order = bag["order"]
            labels.append(
                [
                    order.code,
                    order.household.code,
                    entry["compound"].name,
                    entry["building"].name,
                    f"{order.household.unit.name}{order.household.room}",
                    order.get_fulfilment_display() + (f" {order.slot}" if order.slot_id else ""),
                    "；".join(f"{ln.offer.item.name}×{ln.qty_filled}" for ln in bag["lines"]),
                    order.total,
                    qr_url(order),
                ]
            )
    return [(_("拣货单"), picks), (_("袋标签"), labels)]
