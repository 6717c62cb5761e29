"""Periods of the credit score: a calendar month, "YYYY-MM". The score of a
month counts the evidence that happened in that month alone (first to last
day, local dates)."""

import calendar
import re
from datetime import date

from django.utils.timezone import localdate
from django.utils.translation import gettext

from wanjia.core.errors import Invalid

PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse(value: str | None, *, field: str = "period") -> str:
    """The period ``value`` names, or the current month when empty; a field
    error for anything else."""
    if not value:
        return current()
    m = PATTERN.match(str(value).strip())
    if not m or not (1 <= int(m.group(2)) <= 12) or not (2000 <= int(m.group(1)) <= 2100):
        raise Invalid({field: [gettext("期间格式应为 YYYY-MM，例如 2026-03。")]})
    return f"{m.group(1)}-{m.group(2)}"


def bounds(period: str) -> tuple[date, date]:
    year, month = int(period[:4]), int(period[5:])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def current(today: date | None = None) -> str:
    today = today or localdate()
    return f"{today.year:04d}-{today.month:02d}"


def shift(period: str, months: int) -> str:
    year, month = int(period[:4]), int(period[5:])
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def recent(period: str, count: int) -> list[str]:
    """``count`` periods ending with ``period``, newest first."""
    return [shift(period, -i) for i in range(count)]
