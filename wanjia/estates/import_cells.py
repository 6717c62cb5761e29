"""Excel import, step 1a: reading one cell. Each parser returns the clean value or raises CellError with a translated message that says how to fix it."""

import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from wanjia.core import pii
from wanjia.core.sheets import unquote_cell

from .models import Relation

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
