"""Reading typed values for the market services: money, percentages, text and choices, each refused with a field-level message."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
# A reference price older than this no longer tells what the wet market charges.
REFERENCE_MAX_AGE = timedelta(days=7)


def money(value, field: str, *, label: str) -> Decimal:
    """A positive amount in yuan with at most two decimals, or a field error."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("%(label)s应为金额，例如 3.50。") % {"label": label}}
        ) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationError(
            {field: _("%(label)s应为大于 0、最多两位小数的金额。") % {"label": label}}
        )
    if amount >= Decimal("100000000"):
        raise ValidationError({field: _("%(label)s过大。") % {"label": label}})
    return amount


def percent(value, field: str, *, label: str, high: int = 100) -> Decimal:
    try:
        pct = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(label)s应为数字。") % {"label": label}}) from None
    if not pct.is_finite() or pct < 0 or pct > high or pct != pct.quantize(CENT):
        raise ValidationError(
            {field: _("%(label)s应在 0 到 %(high)s 之间。") % {"label": label, "high": high}}
        )
    return pct


def pct_text(pct: Decimal) -> str:
    """3.00 → "3", 2.50 → "2.5" (``normalize`` would print 10 as "1E+1")."""
    shown = f"{pct:f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def text(value, field: str, *, label: str, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > max_len:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_len}}
        )
    return value


def _choice(value, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("请选择%(label)s。") % {"label": label}})
    return value
