"""Excel import of one compound's buildings, units, households and residents.

The contract, in the order it runs:

1. Read the first sheet with openpyxl ``read_only=True`` (streaming, so a
   100,000-row file never sits in memory as cells) and check every cell; each
   problem becomes one ``(row, column, message)`` naming the Excel row number and
   the column header as the user sees them in their file.
2. Check what depends on the database (same-named resident already in the room,
   ID number already registered, floor above an existing building's height).
3. Only when the whole file is clean, write everything in one transaction with
   ``bulk_create`` in batches: buildings, units and households are created when
   missing and reused when present (never modified), residents are appended.

Step 2 runs again inside the write transaction, after the compound row is
locked, so two imports of the same file cannot both pass it.

Speed: the file is read once. Rows are kept as small tuples between validation
and writing; buildings, units and households go through ``bulk_create``, but
residents (most of the rows) are inserted as plain value tuples with
``executemany`` (see ``_create_residents``). Pinyin is memoised per name
(households share surnames, a compound shares many names)."""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import pii
from wanjia.core.audit import audit
from wanjia.core.scoping import can
from wanjia.core.sheets import ArchiveRefused, check_xlsx_archive, unquote_cell

from .exporter import BY_KEY, REQUIRED_KEYS, header_key
from .models import Building, Compound, Household, Relation, Resident, Unit
from .services import household_code, pinyin_keys

MAX_ROWS = 200_000  # data rows; a larger registry is split by building
MAX_ERRORS = 500  # errors kept for the result page (all are counted)
BATCH = 2000  # rows per bulk_create
PROGRESS_EVERY = 2000  # rows between two progress reports

Progress = Callable[[str, int, int], None]  # (phase, done, total)

_YES = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "无", "没有", "n", "no", "false", "0", "×", "✗"}
_RELATIONS = {
    "业主": Relation.OWNER,
    "租户": Relation.TENANT,
    "家庭成员": Relation.FAMILY,
    Relation.OWNER.value: Relation.OWNER,
    Relation.TENANT.value: Relation.TENANT,
    Relation.FAMILY.value: Relation.FAMILY,
}
_GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


class CellError(Exception):
    """A bad cell; the message is already translated and says how to fix it."""


@dataclass
class ImportResult:
    ok: bool
    rows: int = 0
    errors: list = field(default_factory=list)  # [(row | None, column, message)]
    error_count: int = 0
    created: dict = field(default_factory=dict)
    reused: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "errors": [{"row": r, "column": c, "message": m} for r, c, m in self.errors],
            "error_count": self.error_count,
            "created": self.created,
            "reused": self.reused,
        }


# ---- cell parsers: each returns the clean value or raises CellError ----------


def _norm(value: str) -> str:
    # Full-width digits and letters (３０１, Ｘ) are common in Chinese spreadsheets.
    return unicodedata.normalize("NFKC", value).strip()


def parse_text(value, max_len: int) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = unquote_cell(_norm(value))
    elif isinstance(value, bool):
        raise CellError(_("应填写文字。"))
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else str(value)
    elif isinstance(value, datetime | date):
        raise CellError(_("被 Excel 识别成了日期，请把该列设为文本格式后重新填写。"))
    else:
        raise CellError(_("应填写文字。"))
    if len(text) > max_len:
        raise CellError(_("不能超过%(n)d个字。") % {"n": max_len})
    return text


def parse_int(value, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("应填写整数。"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str):
        text = _norm(value)
        if not text:
            return None
        if not text.lstrip("-").isdigit():
            raise CellError(_("应填写整数，不能是“%(v)s”。") % {"v": text[:20]})
        value = int(text)
    if not isinstance(value, int):
        raise CellError(_("应填写整数。"))
    if not low <= value <= high:
        raise CellError(_("应在%(low)d到%(high)d之间。") % {"low": low, "high": high})
    return value


def parse_area(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(_("应填写数字（平方米）。"))
    text = _norm(value) if isinstance(value, str) else repr(value)
    if not text:
        return None
    try:
        area = Decimal(text.removesuffix("㎡").removesuffix("m2")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise CellError(_("应填写数字（平方米），不能是“%(v)s”。") % {"v": text[:20]}) from None
    if not Decimal("0") < area < Decimal("100000"):
        raise CellError(_("面积应大于0且小于100000平方米。"))
    return area


def parse_yes_no(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = _norm(str(value)).lower() if not isinstance(value, float) else str(int(value))
    if text == "":
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(_("只能填“是”或“否”。"))


def parse_relation(value) -> str:
    text = parse_text(value, 10)
    if not text:
        raise CellError(_("请填写与户关系：业主、租户或家庭成员。"))
    relation = _RELATIONS.get(text) or _RELATIONS.get(text.lower())
    if relation is None:
        raise CellError(_("与户关系只能是业主、租户或家庭成员，不能是“%(v)s”。") % {"v": text})
    return relation


def parse_gender(value) -> str:
    text = parse_text(value, 5)
    if not text:
        return ""
    gender = _GENDERS.get(text.lower())
    if gender is None:
        raise CellError(_("性别只能填“男”或“女”。"))
    return gender


def parse_phone(value) -> str:
    text = parse_text(value, 30).replace(" ", "").replace("-", "")
    if text and (err := pii.phone_error(text)):
        raise CellError(str(err))
    return text


def parse_id_number(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: an 18-digit number has lost its tail.
        raise CellError(_("身份证号必须以文本格式填写：数字格式会丢失最后几位。"))
    text = pii.normalize_id_number(parse_text(value, 30))
    if text and (err := pii.id_number_error(text)):
        raise CellError(str(err))
    return text


def parse_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        found = value.date()
    elif isinstance(value, date):
        found = value
    elif isinstance(value, int | str) and not isinstance(value, bool):
        found = _date_from_text(_norm(str(value)))
        if found is None:
            return None
    else:
        raise CellError(_("应填写日期，如 1990-03-07。"))
    if found > date.today():
        raise CellError(_("日期不能晚于今天。"))
    if found.year < 1900:
        raise CellError(_("日期不能早于1900年。"))
    return found


def _date_from_text(text: str) -> date | None:
    if not text:
        return None
    looks_like_date = False
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            looks_like_date = looks_like_date or _shape_matches(text, fmt)
    if looks_like_date:
        raise CellError(_("日期“%(v)s”不存在，请核对。") % {"v": text[:20]})
    raise CellError(_("应填写日期，如 1990-03-07，不能是“%(v)s”。") % {"v": text[:20]})


def _shape_matches(text: str, fmt: str) -> bool:
    """Whether ``text`` has the digits-and-separators shape of ``fmt`` (so that
    2023-02-30 is reported as an impossible date, not as an unreadable one)."""
    shape = fmt.replace("%Y", "0000").replace("%m", "00").replace("%d", "00")
    return len(text) == len(shape) and all(
        (s == "0" and t.isdigit()) or s == t for s, t in zip(shape, text, strict=True)
    )


def id_birth_and_gender(id_number: str) -> tuple[date | None, str]:
    """Birth date and gender encoded in a valid 18-digit ID number."""
    try:
        birth = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        birth = None
    return birth, ("M" if int(id_number[16]) % 2 else "F")


def guess_floor(room: str) -> int:
    """1801 → 18, 301 → 3: how Chinese room numbers are usually written."""
    return int(room[:-2]) if room.isdigit() and len(room) >= 3 and int(room[:-2]) > 0 else 1


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


# ---- database checks and writing ---------------------------------------------


@dataclass
class _Existing:
    """What the compound already holds, keyed the way the file names things."""

    buildings: dict  # name -> (id, floors)
    units: dict  # (building, unit) -> id
    households: dict  # (building, unit, room) -> id
    residents: set  # (household id, name)
    id_hashes: set
    max_sort: int

    @classmethod
    def load(cls, compound: Compound) -> "_Existing":
        buildings = Building.objects.filter(compound=compound)
        return cls(
            buildings={n: (i, f) for n, i, f in buildings.values_list("name", "id", "floors")},
            units={
                (b, u): i
                for b, u, i in Unit.objects.filter(building__compound=compound).values_list(
                    "building__name", "name", "id"
                )
            },
            households={
                (b, u, r): i
                for b, u, r, i in Household.objects.filter(compound=compound).values_list(
                    "building__name", "unit__name", "room", "id"
                )
            },
            residents=set(
                Resident.objects.filter(compound=compound).values_list("household_id", "name")
            ),
            id_hashes=set(
                Resident.objects.filter(compound=compound)
                .exclude(id_number_hash="")
                .values_list("id_number_hash", flat=True)
            ),
            max_sort=buildings.aggregate(m=Max("sort"))["m"] or 0,
        )


def _check_against_database(v: _Validator, existing: _Existing) -> None:
    """Rules that depend on what is already registered."""
    for (building, _unit, _room), (floor, explicit, _area, row) in v.households.items():
        known = existing.buildings.get(building)
        floors = known[1] if known else v.buildings[building][0]
        if explicit and floors is not None and floor > floors:
            v.cell_error(row, "floor", _too_high(floors))
    for row, hkey, name, *_rest in v.residents:
        household_id = existing.households.get(hkey)
        if household_id is not None and (household_id, name) in existing.residents:
            v.cell_error(row, "name", _("该房屋已登记同名居民，不能重复导入。"))
    for resident in v.residents:
        if resident[7] and resident[7] in existing.id_hashes:
            v.cell_error(resident[0], "id_number", _("该身份证号已在本小区登记，不能重复导入。"))


def _write(v: _Validator, existing: _Existing, compound: Compound, on_progress) -> tuple:
    """Create what is missing, append the residents; return (created, reused) counts."""
    building_ids = _create_buildings(v, existing, compound)
    unit_ids = _create_units(v, existing, building_ids)
    household_ids = _create_households(v, existing, compound, building_ids, unit_ids)
    residents = _create_residents(v, compound, building_ids, household_ids, on_progress)
    reused = {
        "buildings": len(v.buildings.keys() & existing.buildings.keys()),
        "units": len(v.units & existing.units.keys()),
        "households": len(v.households.keys() & existing.households.keys()),
    }
    created = {
        "buildings": len(v.buildings) - reused["buildings"],
        "units": len(v.units) - reused["units"],
        "households": len(household_ids) - reused["households"],
        "residents": residents,
    }
    return created, reused


def _create_buildings(v: _Validator, existing: _Existing, compound: Compound) -> dict:
    top_floor: dict[str, int] = {}
    for (building, _u, _r), (floor, *_rest) in v.households.items():
        top_floor[building] = max(top_floor.get(building, 1), floor)
    new = [
        Building(
            compound=compound,
            name=name,
            # Height not given: the highest floor seen is the best guess.
            floors=floors or top_floor.get(name, 1),
            has_elevator=bool(elevator),
            sort=existing.max_sort + i,
        )
        for i, (name, (floors, elevator, *_rest)) in enumerate(
            ((n, s) for n, s in v.buildings.items() if n not in existing.buildings), start=1
        )
    ]
    Building.objects.bulk_create(new, batch_size=BATCH)
    return {n: i for n, (i, _f) in existing.buildings.items()} | {b.name: b.pk for b in new}


def _create_units(v: _Validator, existing: _Existing, building_ids: dict) -> dict:
    missing = sorted(v.units - existing.units.keys())
    new = [Unit(building_id=building_ids[b], name=u) for b, u in missing]
    Unit.objects.bulk_create(new, batch_size=BATCH)
    return dict(existing.units) | {key: unit.pk for key, unit in zip(missing, new, strict=True)}


def _create_households(v, existing, compound, building_ids, unit_ids) -> dict:
    """(building, unit, room) -> (household id, building id) for every room in the file."""
    from types import SimpleNamespace

    missing = [k for k in v.households if k not in existing.households]
    new = [
        Household(
            unit_id=unit_ids[(building, unit)],
            building_id=building_ids[building],
            compound_id=compound.pk,
            room=room,
            floor=v.households[(building, unit, room)][0],
            area_m2=v.households[(building, unit, room)][2],
            code=household_code(
                compound, SimpleNamespace(name=building), SimpleNamespace(name=unit), room
            ),
        )
        for building, unit, room in missing
    ]
    Household.objects.bulk_create(new, batch_size=BATCH)
    found = {
        k: (i, building_ids[k[0]]) for k, i in existing.households.items() if k in v.households
    }
    found.update({key: (h.pk, h.building_id) for key, h in zip(missing, new, strict=True)})
    return found


# Every concrete column of Resident but its id, in INSERT order (a test checks
# that none is missing: a new field needs its value in ``_resident_values``).
RESIDENT_COLUMNS = (
    "household_id", "building_id", "compound_id", "user_id", "name", "name_pinyin",
    "name_initials", "relation", "gender", "phone", "id_number", "id_number_hash",
    "birth_date", "lives_alone", "disability", "chronic_illness", "health_notes",
    "is_party_member", "emergency_contacts", "created_at", "updated_at",
)  # fmt: skip
# Columns whose Python value the database cannot take as it is (ciphertext,
# JSON, a date on SQLite): converted by the model field itself, as the ORM would.
_PREPARED = ("id_number", "birth_date", "emergency_contacts")


def _create_residents(v, compound, building_ids, household_ids, on_progress) -> int:
    """Append the residents, ``BATCH`` rows per executemany.

    Not ``bulk_create``: for 100,000 residents its SQL compiler prepares 2
    million values one by one (about 6 s, most of the write phase), although
    only three columns need converting; those go through their model field."""
    pinyin: dict[str, tuple[str, str]] = {}
    prepare = {name: _field_prep(name) for name in _PREPARED}
    stamp = _field_prep("created_at")(timezone.now())
    total = len(v.residents)
    if on_progress:
        on_progress("write", 0, total)
    with connection.cursor() as cursor:
        for start in range(0, total, BATCH):
            batch = v.residents[start : start + BATCH]
            rows = [
                _resident_values(r, compound.pk, household_ids, pinyin, prepare, stamp)
                for r in batch
            ]
            cursor.executemany(_insert_sql(), rows)
            if on_progress:
                on_progress("write", start + len(batch), total)
    return total


def _field_prep(name: str):
    field = Resident._meta.get_field(name)
    return lambda value: field.get_db_prep_save(value, connection)


def _insert_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in RESIDENT_COLUMNS)
    marks = ", ".join(["%s"] * len(RESIDENT_COLUMNS))
    return f"INSERT INTO {quote(Resident._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (names are ours)


def _resident_values(resident, compound_id, household_ids, pinyin, prepare, stamp) -> tuple:
    """One row of ``RESIDENT_COLUMNS`` from a validated resident tuple."""
    (_n, hkey, name, relation, gender, phone, id_number, id_hash, birth, alone,
     disabled, chronic, party, contacts) = resident  # fmt: skip
    household_id, building_id = household_ids[hkey]
    keys = pinyin.get(name)
    if keys is None:  # households share surnames, a compound shares names
        keys = pinyin[name] = pinyin_keys(name)
    return (
        household_id, building_id, compound_id, None, name, keys[0], keys[1], relation,
        gender, phone, prepare["id_number"](id_number), id_hash,
        prepare["birth_date"](birth), alone, disabled, chronic, "", party,
        prepare["emergency_contacts"](contacts), stamp, stamp,
    )  # fmt: skip


def _rejected(v: _Validator) -> ImportResult:
    errors = sorted(v.errors, key=lambda e: e[0] or 0)
    return ImportResult(ok=False, rows=v.rows, errors=errors, error_count=v.error_count)


def residents_import(
    *,
    actor,
    compound: Compound,
    path,
    filename: str = "",
    on_progress: Progress | None = None,
    ip: str | None = None,
) -> ImportResult:
    """Import the .xlsx at ``path`` into ``compound``: all of it, or nothing.

    Returns the counts created and reused, or every problem found (row, column,
    message). Raises PermissionDenied for a role without ``estates.import``."""
    if not can(actor, "estates.import", compound=compound):
        raise PermissionDenied
    v = validate_file(path, on_progress=on_progress)
    if v.error_count:
        if v.residents or v.households:  # report database conflicts in the same pass
            _check_against_database(v, _Existing.load(compound))
        return _rejected(v)
    try:
        with transaction.atomic():
            # Serialise imports into one compound (PostgreSQL; SQLite's
            # IMMEDIATE transactions already do), then re-check under the lock.
            list(Compound.objects.select_for_update().filter(pk=compound.pk).values("pk"))
            existing = _Existing.load(compound)
            _check_against_database(v, existing)
            if v.error_count:
                return _rejected(v)
            created, reused = _write(v, existing, compound, on_progress)
            audit(
                actor=actor,
                action="estates.import.completed",
                obj=compound,
                compound=compound,
                detail={
                    "file": filename[:200],
                    "rows": v.rows,
                    "created": created,
                    "reused": reused,
                },
                ip=ip,
            )
    except IntegrityError:
        v.error(None, "", _("导入时与同时进行的修改冲突，未导入任何数据，请重新上传。"))
        return _rejected(v)
    return ImportResult(ok=True, rows=v.rows, created=created, reused=reused)
