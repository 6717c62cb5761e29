"""Compute a month's rollups: every registered figure for every compound,
company, street, district and city, written as one upsert per row (rerun a
month: the same rows, updated in place). A group's value is the figure computed
over the group's compounds as a whole (core.figures), never a mean of its
compounds' values; a figure that can answer many groups in one query does."""

import calendar
import re
import time
from collections import defaultdict
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import figures
from wanjia.core.errors import Invalid
from wanjia.core.models import Compound

from . import kpis
from .models import Level, RankPlace, Rollup, RollupRun

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\Z")


def parse_period(raw, *, field: str = "period") -> str:
    """ "2026-12", or a field error; months after the current one are refused."""
    text = (raw or "").strip() if isinstance(raw, str) else ""
    match = PERIOD_RE.match(text)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise Invalid({field: [_("统计期应为“年-月”，如 2026-12。")]})
    if text > current_period():
        raise Invalid({field: [_("统计期不能晚于本月。")]})
    return text


def current_period(today: date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{today:%Y-%m}"


def previous_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def periods_back(period: str, n: int) -> list[str]:
    """The ``n`` months ending with ``period``, oldest first."""
    out = [period]
    while len(out) < n:
        out.append(previous_period(out[-1]))
    return out[::-1]


def bounds(period: str, today: date | None = None) -> tuple[date, date]:
    """The month's first and last day (today for the month under way)."""
    year, month = int(period[:4]), int(period[5:])
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    today = today or timezone.localdate()
    return start, min(end, today) if start <= today else end


def unit_groups() -> dict[tuple[str, int], list[int]]:
    """(level, unit id) -> its compounds' ids, for every unit of the city."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    rows = Compound.objects.values_list(
        "id",
        "company_id",
        "community__parent_id",
        "community__parent__parent_id",
        "community__parent__parent__parent_id",
    )
    for cid, company, street, district, city in rows:
        groups[(Level.COMPOUND, cid)].append(cid)
        for level, unit in (
            (Level.COMPANY, company),
            (Level.STREET, street),
            (Level.DISTRICT, district),
            (Level.CITY, city),
        ):
            if unit:
                groups[(level, unit)].append(cid)
    return groups


def rollup_month(period: str, *, today: date | None = None) -> RollupRun:
    """(Re)compute ``period``'s rows for every unit and figure."""
    started = time.monotonic()
    start, end = bounds(period, today)
    groups = unit_groups()
    keys = list(groups)
    id_lists = [groups[k] for k in keys]
    values: dict[tuple[str, int], dict[str, float | None]] = {k: {} for k in keys}
    for figure in figures.registered():
        column = figures._column(figure, id_lists, start, end)
        for key, value in zip(keys, column, strict=True):
            values[key][figure.key] = None if value is None else float(value)
    now = timezone.now()
    rows = []
    for (level, unit), by_code in values.items():
        by_code[kpis.INDEX] = kpis.index(by_code)
        rows.extend(
            Rollup(
                period=period, level=level, unit_id=unit, code=code, value=value, computed_at=now
            )
            for code, value in by_code.items()
        )
    with transaction.atomic():
        Rollup.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["period", "level", "unit_id", "code"],
            update_fields=["value", "computed_at"],
        )
        # units or figures that no longer exist leave no stale rows behind
        Rollup.objects.filter(period=period).exclude(computed_at=now).delete()
        rank_month(period)
        run = RollupRun.objects.create(
            period=period,
            seconds=round(time.monotonic() - started, 3),
            rows=len(rows),
            compounds=sum(1 for level, _unit in keys if level == Level.COMPOUND),
        )
    return run


def rank_month(period: str) -> int:
    """(Re)write ``period``'s ranking places (:class:`RankPlace`) from its
    composite index rows: for the city, each district and each street, its
    compounds best first, ties by name then id (as ``selectors.compound_ranking``),
    competition ranks (1, 2, 2, 4). Returns the number of rows."""
    index = dict(
        Rollup.objects.filter(
            period=period, level=Level.COMPOUND, code=kpis.INDEX, value__isnull=False
        ).values_list("unit_id", "value")
    )
    members: dict[int, list[tuple[float, str, int]]] = defaultdict(list)
    for cid, name, *regions in Compound.objects.values_list(
        "id",
        "name",
        "community__parent_id",
        "community__parent__parent_id",
        "community__parent__parent__parent_id",
    ):
        if cid in index:
            for region in regions:
                if region:
                    members[region].append((index[cid], name, cid))
    rows = []
    for region, found in members.items():
        found.sort(key=lambda m: (-m[0], m[1], m[2]))
        rank, last = 0, None
        for position, (value, _name, cid) in enumerate(found, start=1):
            if value != last:
                rank, last = position, value
            rows.append(
                RankPlace(
                    period=period,
                    region_id=region,
                    position=position,
                    rank=rank,
                    compound_id=cid,
                    value=value,
                )
            )
    with transaction.atomic():
        RankPlace.objects.filter(period=period).delete()
        RankPlace.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rollup_due(today: date | None = None) -> list[str]:
    """The daily job: this month so far, and last month again during the first
    three days of a month (late records of its last days)."""
    today = today or timezone.localdate()
    done = [rollup_month(current_period(today), today=today).period]
    if today.day <= 3:
        done.insert(0, rollup_month(previous_period(current_period(today)), today=today).period)
    return done
