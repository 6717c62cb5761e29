"""Excel import, step 1: reading the sheet (streaming) and checking every row; problems are collected as (row, column, message)."""

from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _

from wanjia.core import pii
from wanjia.core.sheets import ArchiveRefused, check_xlsx_archive

from .exporter import BY_KEY, REQUIRED_KEYS, header_key
from .import_cells import (
    CellError,
    guess_floor,
    id_birth_and_gender,
    parse_area,
    parse_date,
    parse_gender,
    parse_id_number,
    parse_int,
    parse_phone,
    parse_relation,
    parse_text,
    parse_yes_no,
)

MAX_ROWS = 200_000  # data rows; a larger registry is split by building
MAX_ERRORS = 500  # errors kept for the result page (all are counted)
BATCH = 2000  # rows per bulk_create
PROGRESS_EVERY = 2000  # rows between two progress reports

Progress = Callable[[str, int, int], None]  # (phase, done, total)


# ---- validation --------------------------------------------------------------


class _Validator:
    """Checks rows one by one and keeps what the writer needs as small tuples."""

    def __init__(self):
        self.errors: list = []
        self.error_count = 0
        self.rows = 0
        self.index: dict[str, int] = {}
        self.labels: dict[str, str] = {}  # column key -> header as written in the file
        self.buildings: dict[str, list] = {}  # name -> [floors, elevator, floors_row, elev_row]
        self.units: set[tuple[str, str]] = set()
        self.households: dict[tuple, list] = {}  # key -> [floor, explicit, area, row]
        self.residents: list[tuple] = []
        self._names: dict[tuple, int] = {}
        self._ids: dict[str, int] = {}

    def error(self, row: int | None, column: str, message) -> None:
        """Record one problem: Excel row number (None for the file), column header."""
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((row, column, str(message)))

    def cell_error(self, row: int, key: str, message) -> None:
        self.error(row, self.labels.get(key) or BY_KEY[key].header, message)

    def read_header(self, header_row) -> bool:
        for i, raw in enumerate(header_row):
            label = "" if raw is None else str(raw).strip()
            if not label:
                continue
            key = header_key(label)
            if key is None:
                self.error(1, label, _("未知的列，请使用模板中的列名。"))
            elif key in self.index:
                self.error(1, label, _("该列重复出现。"))
            else:
                self.index[key], self.labels[key] = i, label
        for key in REQUIRED_KEYS:
            if key not in self.index:
                self.error(1, BY_KEY[key].header, _("缺少必需的列。"))
        return self.error_count == 0

    def check_row(self, n: int, row: tuple) -> None:
        """Validate Excel row ``n``; record errors, or remember what to write.

        A bad cell does not stop the other checks of its row (a duplicate is
        reported in the same pass as a bad phone), but a row with any error is
        never kept for writing."""
        width = len(row)
        cells = {key: (row[i] if i < width else None) for key, i in self.index.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            return  # blank rows between blocks are common; they are not data
        self.rows += 1
        errors_before = self.error_count
        clean: dict = {}
        for key, value in cells.items():
            try:
                clean[key] = _PARSERS[key](value)
            except CellError as exc:
                self.cell_error(n, key, exc)
        place = [clean.get(key) for key in ("building", "unit", "room")]
        for key, value in zip(("building", "unit", "room"), place, strict=True):
            if value == "":
                self.cell_error(n, key, _("必填，不能为空。"))
        if not all(place):
            return  # nowhere to put the row: nothing more to check
        hkey = tuple(place)
        self._check_building(n, clean)
        self.units.add(hkey[:2])
        self._check_household(n, hkey, clean)
        if clean.get("name"):
            self._check_resident(n, hkey, clean, errors_before)
        elif "name" in clean and any(clean.get(k) not in (None, "", False) for k in _RESIDENT_KEYS):
            self.cell_error(n, "name", _("填写了居民信息，请同时填写姓名。"))

    def _check_building(self, n: int, clean: dict) -> None:
        spec = self.buildings.setdefault(clean["building"], [None, None, 0, 0])
        floors, elevator = clean.get("floors"), clean.get("elevator")
        if floors is not None:
            if spec[0] is None:
                spec[0], spec[2] = floors, n
            elif spec[0] != floors:
                self.cell_error(n, "floors", _differs(spec[2], spec[0]))
        if elevator is not None:
            if spec[1] is None:
                spec[1], spec[3] = elevator, n
            elif spec[1] != elevator:
                self.cell_error(n, "elevator", _differs(spec[3], _("是") if spec[1] else _("否")))

    def _check_household(self, n: int, hkey: tuple, clean: dict) -> None:
        floor, area = clean.get("floor"), clean.get("area")
        spec = self.households.get(hkey)
        if spec is None:
            explicit = floor is not None
            self.households[hkey] = [floor if explicit else guess_floor(hkey[2]), explicit, area, n]
            return
        if floor is not None and spec[1] and spec[0] != floor:
            self.cell_error(n, "floor", _differs(spec[3], spec[0]))
        if area is not None and spec[2] is not None and spec[2] != area:
            self.cell_error(n, "area", _differs(spec[3], spec[2]))

    def _check_resident(self, n: int, hkey: tuple, clean: dict, errors_before: int) -> None:
        """Cross-cell and cross-row checks of one resident; kept only if the
        whole row is clean. A cell that failed to parse is absent from ``clean``."""
        name = clean["name"]
        if "示例" in name:
            return self.cell_error(n, "name", _("这是模板中的示例行，请删除后再导入。"))
        if clean.get("relation") == "":
            self.cell_error(n, "relation", _("请填写与户关系：业主、租户或家庭成员。"))
        if (first := self._names.setdefault((hkey, name), n)) != n:
            msg = _("与第%(row)d行重复：同一房屋已有同名居民。") % {"row": first}
            self.cell_error(n, "name", msg)
        id_number = clean.get("id_number", "")
        birth, gender = clean.get("birth_date"), clean.get("gender", "")
        if id_number:
            if (first := self._ids.setdefault(id_number, n)) != n:
                msg = _("与第%(row)d行的身份证号重复。") % {"row": first}
                self.cell_error(n, "id_number", msg)
            id_birth, id_gender = id_birth_and_gender(id_number)
            if id_birth is None:
                self.cell_error(n, "id_number", _("身份证号中的出生日期不存在，请核对。"))
            elif birth is not None and birth != id_birth:
                self.cell_error(n, "birth_date", _("与身份证号中的出生日期不一致。"))
            if gender and gender != id_gender:
                self.cell_error(n, "gender", _("与身份证号中的性别不一致。"))
            birth, gender = id_birth, id_gender
        contact_name, contact_phone = clean.get("contact_name", ""), clean.get("contact_phone", "")
        if contact_phone and not contact_name and "contact_name" in clean:
            msg = _("填写了紧急联系人电话，请同时填写联系人姓名。")
            self.cell_error(n, "contact_name", msg)
        if self.error_count != errors_before:
            return
        self.residents.append(
            (
                n,
                hkey,
                name,
                clean["relation"],
                gender,
                clean.get("phone", ""),
                id_number,
                pii.lookup_hash(id_number) if id_number else "",
                birth,
                bool(clean.get("lives_alone")),
                bool(clean.get("disability")),
                bool(clean.get("chronic_illness")),
                bool(clean.get("is_party_member")),
                [{"name": contact_name, "phone": contact_phone}] if contact_name else [],
            )
        )


def _differs(first_row: int, first_value) -> str:
    return _("与第%(row)d行填写的“%(v)s”不一致。") % {"row": first_row, "v": first_value}


def _too_high(floors: int) -> str:
    return _("楼层超过该楼栋的层数（%(f)d层）。") % {"f": floors}


_PARSERS = {
    "building": lambda v: parse_text(v, 30),
    "floors": lambda v: parse_int(v, 1, 200),
    "elevator": parse_yes_no,
    "unit": lambda v: parse_text(v, 20),
    "room": lambda v: parse_text(v, 20),
    "floor": lambda v: parse_int(v, -9, 200),
    "area": parse_area,
    "name": lambda v: parse_text(v, 50),
    "relation": lambda v: parse_relation(v) if v not in (None, "") else "",
    "gender": parse_gender,
    "phone": parse_phone,
    "id_number": parse_id_number,
    "birth_date": parse_date,
    "lives_alone": parse_yes_no,
    "disability": parse_yes_no,
    "chronic_illness": parse_yes_no,
    "is_party_member": parse_yes_no,
    "contact_name": lambda v: parse_text(v, 50),
    "contact_phone": parse_phone,
}
_RESIDENT_KEYS = list(_PARSERS)[8:]


# ---- reading -----------------------------------------------------------------


def _open_sheet(path):
    """The first worksheet, or a CellError saying why the file cannot be read."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        if Path(path).stat().st_size == 0:
            raise CellError(_("文件是空的，请选择填好的 Excel 文件。"))
        if not zipfile.is_zipfile(path):
            raise CellError(_("文件不是 Excel（.xlsx）文件，请用模板填写后上传。"))
        check_xlsx_archive(path)
        workbook = load_workbook(path, read_only=True, data_only=True)
    except CellError:
        raise
    except ArchiveRefused as exc:
        raise CellError(str(exc)) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        raise CellError(_("文件无法读取：不是有效的 Excel（.xlsx）文件。")) from None
    if not workbook.worksheets:
        raise CellError(_("文件中没有工作表。"))
    return workbook, workbook.worksheets[0]


def validate_file(path, *, on_progress: Progress | None = None) -> _Validator:
    """Read and check the whole file (no database access)."""
    v = _Validator()
    try:
        workbook, sheet = _open_sheet(path)
    except CellError as exc:
        v.error(None, "", exc)
        return v
    try:
        _read_rows(v, sheet, on_progress)
    finally:
        workbook.close()
    return v


def _read_rows(v: _Validator, sheet, on_progress: Progress | None) -> None:
    declared = sheet.max_row or 0
    total_hint = declared - 1 if 1 < declared <= MAX_ROWS + 1 else 0
    # Declared dimensions may be wrong (too small hides rows, 1,048,576 pads with
    # a million empty ones): read the rows that are really there.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None or all(c is None or str(c).strip() == "" for c in header):
        v.error(None, "", _("文件是空的：第1行应为表头（请使用模板）。"))
        return
    if not v.read_header(header):
        return
    for n, row in enumerate(rows, start=2):
        if n > MAX_ROWS + 1:
            v.error(n, "", _("文件超过%(max)d行，请按楼栋拆分后分别导入。") % {"max": MAX_ROWS})
            return
        v.check_row(n, row)
        if on_progress and n % PROGRESS_EVERY == 0:
            on_progress("validate", n - 1, total_hint)
    if v.rows == 0 and v.error_count == 0:
        v.error(None, "", _("文件中没有数据行：请从第2行开始填写。"))
