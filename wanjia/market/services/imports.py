"""Reference prices from an Excel sheet: 商品 | 日期 | 参考价 | 来源.

The whole sheet is checked first; a bad row names its row and column and
nothing is written (the office fixes the sheet and imports it again)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.sheets import ArchiveRefused, check_xlsx_archive

from ..access import require_manage
from ..models import Market, ReferencePrice
from .catalog import money

COLUMNS = ["商品", "日期", "参考价", "来源"]
MAX_ROWS = 5000


def _cell_error(row: int, column: str, message: str) -> ValidationError:
    return ValidationError(
        {
            "file": _("第 %(row)s 行「%(col)s」：%(msg)s")
            % {"row": row, "col": column, "msg": message}
        }
    )


def _read_rows(upload) -> list[tuple]:
    from openpyxl import load_workbook

    try:
        check_xlsx_archive(upload)
    except ArchiveRefused as exc:
        raise ValidationError({"file": str(exc)}) from None
    try:
        sheet = load_workbook(upload, read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    except Exception:  # openpyxl raises many kinds for a file that is not xlsx
        raise ValidationError(
            {"file": _("无法读取文件，请上传 .xlsx 格式的 Excel 表格。")}
        ) from None
    header = [str(c or "").strip() for c in (rows[0] if rows else [])]
    missing = [c for c in COLUMNS[:3] if c not in header]
    if missing:
        raise ValidationError(
            {"file": _("表头缺少列：%(cols)s。请使用导入模板。") % {"cols": "、".join(missing)}}
        )
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationError({"file": _("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS}})
    index = {name: header.index(name) for name in COLUMNS if name in header}
    return [
        (n, {name: (row[i] if i < len(row) else None) for name, i in index.items()})
        for n, row in enumerate(rows[1:], start=2)
        if any(v not in (None, "") for v in row)
    ]


def _parse_date(value, row: int) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise _cell_error(row, "日期", _("日期格式应为 2024-06-01。")) from None


def reference_prices_import(*, actor, market: Market, upload) -> int:
    """Import every row or none; returns how many prices were written."""
    require_manage(actor, market)
    items = {i.name: i for i in market.items.filter(is_bundle=False)}
    parsed = {}
    for row, cells in _read_rows(upload):
        name = str(cells.get("商品") or "").strip()
        if name not in items:
            raise _cell_error(
                row, "商品", _("商品「%(name)s」不在本市场的商品目录中。") % {"name": name}
            )
        on_date = _parse_date(cells.get("日期"), row)
        try:
            price = money(cells.get("参考价"), "price", label=_("参考价"))
        except ValidationError as exc:
            raise _cell_error(row, "参考价", exc.message_dict["price"][0]) from None
        source = str(cells.get("来源") or "").strip()[:100]
        parsed[(items[name].pk, on_date)] = (items[name], on_date, price, source)
    if not parsed:
        raise ValidationError({"file": _("表格中没有数据行。")})
    with transaction.atomic():
        for item, on_date, price, source in parsed.values():
            ReferencePrice.objects.update_or_create(
                item=item,
                on_date=on_date,
                defaults={"price": price, "source": source, "created_by": actor},
            )
        audit(
            actor=actor,
            action="market.reference.imported",
            obj=market,
            compound=market.compound,
            detail={"rows": len(parsed)},
        )
    return len(parsed)


def template_rows(market: Market) -> list[list]:
    """The import template: the header and one row per item, to fill in."""
    today = timezone.localdate().isoformat()
    return [COLUMNS] + [
        [item.name, today, None, ""]
        for item in market.items.filter(is_bundle=False, active=True).order_by("sort", "name")
    ]
