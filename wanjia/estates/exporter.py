"""The registry's spreadsheet layout, and the two workbooks Wanjia writes with it:
the import template and the residents export.

Both use the same columns, so an export can be corrected in Excel and a new
compound's sheet can start from one. Headers stay in Chinese in every UI
language: the file travels between offices, and the importer matches on them.

The export respects masking: phone numbers and ID numbers are masked unless
the user's role may reveal them *and* they asked for full numbers; such an
export is audited as a reveal (``estates.export.unmasked``). Every export is
audited (``estates.export.created``) with its row count."""

import io
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia.core import pii
from wanjia.core.audit import audit
from wanjia.core.models import Building, Compound
from wanjia.core.scoping import can
from wanjia.core.sheets import safe_row

from .models import Relation
from .selectors import residents_visible_to


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as it appears in the file, in every UI language
    required: bool  # the column must be present in an imported file
    rule: str  # what may be written in it (shown on the template's second sheet)
    example: object
    width: int = 10
    choices: tuple[str, ...] = ()  # offered as a drop-down list in the template
    text: bool = False  # formatted as text in the template (keeps leading zeros, 18 digits)


def _example_id() -> str:
    first17 = "11010119900307003"  # fictional: Beijing Dongcheng, born 1990-03-07
    return first17 + pii.id_check_digit(first17)


YES_NO = ("是", "否")
COLUMNS: list[Column] = [
    Column(
        "building",
        "楼栋",
        True,
        gettext_lazy("必填。楼栋名称，如“3栋”。没有的楼栋会新建，已有的沿用。"),
        "3栋",
        text=True,
    ),
    Column(
        "floors",
        "层数",
        False,
        gettext_lazy("楼栋总层数，整数1–200。只在新建楼栋时使用；同一楼栋各行应一致。"),
        18,
        8,
    ),
    Column(
        "elevator",
        "电梯",
        False,
        gettext_lazy("楼栋是否有电梯：是 / 否。只在新建楼栋时使用。"),
        "是",
        8,
        YES_NO,
    ),
    Column("unit", "单元", True, gettext_lazy("必填。单元名称，如“1单元”。"), "1单元", text=True),
    Column(
        "room",
        "房号",
        True,
        gettext_lazy("必填。房号，如“1801”。同一单元内房号唯一。"),
        "1801",
        text=True,
    ),
    Column(
        "floor",
        "楼层",
        False,
        gettext_lazy("所在楼层，整数（地下层填负数）。不填时按房号推算：1801 → 18层。"),
        18,
        8,
    ),
    Column("area", "面积", False, gettext_lazy("建筑面积，平方米，最多两位小数。"), 89.5, 8),
    Column(
        "name",
        "姓名",
        True,
        gettext_lazy("居民姓名。不填姓名的行只登记房屋。导入前请删除示例行。"),
        "张三（示例）",
    ),
    Column(
        "relation",
        "与户关系",
        True,
        gettext_lazy("填写姓名时必填：业主 / 租户 / 家庭成员。"),
        "业主",
        choices=("业主", "租户", "家庭成员"),
    ),
    Column(
        "gender",
        "性别",
        False,
        gettext_lazy("男 / 女。不填时按身份证号推算。"),
        "男",
        6,
        ("男", "女"),
    ),
    Column(
        "phone",
        "手机号",
        False,
        gettext_lazy("11位手机号，以1开头。"),
        "13800001234",
        14,
        text=True,
    ),
    Column(
        "id_number",
        "身份证号",
        False,
        gettext_lazy("18位居民身份证号（校验位会核对）。请用文本格式，数字格式会丢失末位。"),
        _example_id(),
        22,
        text=True,
    ),
    Column(
        "birth_date",
        "出生日期",
        False,
        gettext_lazy("日期，如 1990-03-07。不填时按身份证号推算；两者应一致。"),
        date(1990, 3, 7),
        12,
    ),
    Column("lives_alone", "独居", False, gettext_lazy("是 / 否，不填为否。"), "否", 6, YES_NO),
    Column("disability", "残疾", False, gettext_lazy("是 / 否，不填为否。"), "否", 6, YES_NO),
    Column(
        "chronic_illness", "慢性病", False, gettext_lazy("是 / 否，不填为否。"), "否", 6, YES_NO
    ),
    Column("is_party_member", "党员", False, gettext_lazy("是 / 否，不填为否。"), "是", 6, YES_NO),
    Column(
        "contact_name",
        "紧急联系人",
        False,
        gettext_lazy("紧急联系人姓名。填写联系人电话时必填。"),
        "张小三",
    ),
    Column(
        "contact_phone",
        "紧急联系人电话",
        False,
        gettext_lazy("紧急联系人的11位手机号。"),
        "13900005678",
        14,
        text=True,
    ),
]
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_KEYS = [c.key for c in COLUMNS if c.required]
_BY_HEADER = {c.header: c.key for c in COLUMNS}


def header_key(raw) -> str | None:
    """The column key for a header cell. "电梯(是/否)", "姓名*" and "楼 栋" all
    match: people add hints to headers and stray spaces creep in."""
    text = unicodedata.normalize("NFKC", str(raw)).replace(" ", "").strip()
    text = text.split("(", 1)[0].rstrip("*")
    return _BY_HEADER.get(text)


# ---- the import template -----------------------------------------------------


def template_workbook() -> bytes:
    """The import template: headers, one example row, drop-down lists, and a
    second sheet explaining each column and its allowed values."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = str(_("居民信息"))
    red = PatternFill("solid", fgColor="C8161D")
    ws.append(safe_row(c.header for c in COLUMNS))
    ws.append(safe_row(c.example for c in COLUMNS))
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        head = ws.cell(row=1, column=i)
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = red if column.required else PatternFill("solid", fgColor="7A6F66")
        ws.column_dimensions[letter].width = column.width + 4
        if column.text:
            ws.column_dimensions[letter].number_format = "@"
            ws.cell(row=2, column=i).number_format = "@"
        if column.key == "birth_date":
            ws.cell(row=2, column=i).number_format = "yyyy-mm-dd"
        if column.choices:
            rule = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
            )
            rule.add(f"{letter}2:{letter}20001")
            ws.add_data_validation(rule)
    ws.freeze_panes = "A2"

    help_sheet = wb.create_sheet(str(_("填写说明")))
    help_sheet.append([str(_("列名")), str(_("是否必需")), str(_("填写要求")), str(_("示例"))])
    for column in COLUMNS:
        example = column.example.isoformat() if isinstance(column.example, date) else column.example
        need = _("必需的列") if column.required else _("可选")
        help_sheet.append(safe_row([column.header, need, column.rule, example]))
    help_sheet.append([])
    for line in _template_notes():
        help_sheet.append(safe_row([line]))
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (16, 12, 70, 22), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2, max_col=3):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _template_notes() -> list[str]:
    return [
        str(_("说明：")),
        str(_("1. 每行一位居民；同一房屋的多位居民各占一行，楼栋、单元、房号填写相同。")),
        str(_("2. 红色表头的列必须保留；灰色表头的列可以删除或留空。")),
        str(_("3. 文件中只要有一处错误，就不会导入任何数据；请按提示的行号和列名改正后重新上传。")),
        str(_("4. 已有的楼栋、单元和房屋会沿用，不会被修改；居民会追加到对应房屋。")),
        str(_("5. 同一房屋的同名居民、重复的身份证号都会被拒绝，以免重复导入。")),
    ]


# ---- the residents export ----------------------------------------------------


@dataclass
class Export:
    content: bytes
    filename: str
    rows: int
    unmasked: list[str]  # personal fields exported in clear


def residents_export(
    *,
    actor,
    compound: Compound,
    building: Building | None = None,
    full_numbers: bool = False,
    ip: str | None = None,
) -> Export:
    """Write the residents of ``compound`` (or one ``building`` of it) to .xlsx."""
    building_id = building.pk if building is not None else None
    if not can(actor, "estates.export", compound=compound, building_id=building_id):
        raise PermissionDenied
    unmasked = [
        field
        for field, capability in (("phone", "pii.reveal_phone"), ("id_number", "pii.reveal_id"))
        if full_numbers and can(actor, capability, compound=compound, building_id=building_id)
    ]
    content, rows = _write_residents(actor, compound, building, set(unmasked))
    with transaction.atomic():
        detail = {"rows": rows, "building": building_id, "unmasked": unmasked}
        audit(
            actor=actor,
            action="estates.export.created",
            obj=compound,
            compound=compound,
            detail=detail,
            ip=ip,
        )
        if unmasked:
            audit(
                actor=actor,
                action="estates.export.unmasked",
                obj=compound,
                compound=compound,
                detail={"rows": rows, "building": building_id, "fields": unmasked},
                ip=ip,
            )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    scope = f"{compound.code}-b{building_id}" if building_id else compound.code
    return Export(content, f"residents-{scope}-{stamp}.xlsx", rows, unmasked)


_EXPORT_FIELDS = (
    "building__name",
    "building__floors",
    "building__has_elevator",
    "household__unit__name",
    "household__room",
    "household__floor",
    "household__area_m2",
    "name",
    "relation",
    "gender",
    "phone",
    "id_number",
    "birth_date",
    "lives_alone",
    "disability",
    "chronic_illness",
    "is_party_member",
    "emergency_contacts",
)


def _write_residents(actor, compound, building, unmasked: set[str]) -> tuple[bytes, int]:
    """Stream rows from the database into a write-only workbook."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    queryset = residents_visible_to(actor).filter(compound=compound)
    if building is not None:
        queryset = queryset.filter(building=building)
    queryset = queryset.order_by(
        "building__sort",
        "building__name",
        "household__unit__name",
        "household__floor",
        "household__room",
        "id",
    ).values_list(*_EXPORT_FIELDS)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(_("居民信息")))
    bold = Font(bold=True)
    ws.append([_bold_cell(ws, c.header, bold, WriteOnlyCell) for c in COLUMNS])
    phone = (lambda v: v) if "phone" in unmasked else pii.mask_phone
    id_number = (lambda v: v) if "id_number" in unmasked else pii.mask_id_number
    # Cell values stay Chinese in every UI language, like the headers: the
    # importer reads them back whoever exports.
    relation = {Relation.OWNER: "业主", Relation.TENANT: "租户", Relation.FAMILY: "家庭成员"}
    gender = {"M": "男", "F": "女"}
    yes, no = YES_NO
    rows = 0
    for row in queryset.iterator(chunk_size=2000):
        (b_name, b_floors, b_elev, unit, room, floor, area, name, rel, sex, tel, idn, birth,
         alone, disabled, chronic, party, contacts) = row  # fmt: skip
        contact = contacts[0] if contacts else {}
        # safe_row: a name such as "=HYPERLINK(...)" is written as text, not a formula.
        ws.append(
            safe_row([
                b_name, b_floors, yes if b_elev else no, unit, room, floor,
                float(area) if area is not None else None, name, relation.get(rel, rel),
                gender.get(sex, ""), phone(tel), id_number(idn), birth,
                yes if alone else no, yes if disabled else no, yes if chronic else no,
                yes if party else no, contact.get("name", ""), phone(contact.get("phone", "")),
            ])
        )  # fmt: skip
        rows += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), rows


def _bold_cell(ws, value, font, cell_class):
    cell = cell_class(ws, value=value)
    cell.font = font
    return cell
