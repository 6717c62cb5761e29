"""Figures: what each app reports to the regulator, registered with the kernel so
that the regulator's pages (and supervision) read every module without
importing one.

    # disputes/apps.py
    figures.register(
        "disputes", "disputes.compound_rate", _("大事不出小区"),
        note=_("近30天化解的纠纷中，在楼栋或小区层级化解的比例。"),
        compute=compound_rate, kind=figures.RATIO, better=figures.HIGHER, order=30)

``compute(compound_ids, start, end)`` answers the figure for that group of
compounds over [start, end] (local dates, inclusive) — a number, or None when
there is nothing to measure (no cases: no rate). A group is one row of a
regulator's table (a district, a street, one compound); the figure is computed
for the group as a whole (a rate over all its cases, not a mean of rates), so a
district's row always agrees with the figure computed over its compounds.

Each figure carries its note (口径): how it is counted, shown beside it.

A table has a row per group; a figure that can answer every group at once
registers ``compute_many(groups, start, end) -> [value per group]`` as well (one
grouped query for the whole table instead of one per row, which made the
regulator's table cost a few queries per district, street or compound)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

COUNT, RATIO, MINUTES, DAYS, HOURS = "count", "ratio", "minutes", "days", "hours"
HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True)
class Figure:
    key: str
    app: str
    label: str  # lazy translation
    note: str  # lazy translation: the figure's 口径
    compute: Callable[[Sequence[int], date, date], float | int | None]
    kind: str = COUNT
    better: str | None = None  # HIGHER or LOWER: which way is good
    order: int = 50
    # every group at once: compute_many([ids, ...], start, end) -> [value, ...]
    compute_many: Callable[[Sequence[Sequence[int]], date, date], list] | None = None


_FIGURES: dict[str, Figure] = {}


def register(
    app: str,
    key: str,
    label,
    *,
    note,
    compute: Callable,
    kind: str = COUNT,
    better: str | None = None,
    order: int = 50,
    compute_many: Callable | None = None,
) -> Figure:
    """Register (or replace: ``ready`` may run twice in tests) one figure."""
    figure = Figure(key, app, label, note, compute, kind, better, order, compute_many)
    _FIGURES[key] = figure
    return figure


def registered() -> list[Figure]:
    return sorted(_FIGURES.values(), key=lambda f: (f.order, f.key))


def figure(key: str) -> Figure:
    return _FIGURES[key]


def last_days(days: int = 30, today: date | None = None) -> tuple[date, date]:
    """The window of the last ``days`` local days, today included."""
    today = today or timezone.localdate()
    return today - timedelta(days=days - 1), today


def table(groups: Sequence[tuple[object, Sequence[int]]], start: date, end: date) -> list[dict]:
    """One row per ``(label, compound_ids)`` group: ``{"group", "values":
    [value per registered figure]}``; a group without compounds gets Nones."""
    figs = registered()
    columns = [_column(f, [list(ids) for _group, ids in groups], start, end) for f in figs]
    return [
        {"group": group, "values": [column[n] for column in columns]}
        for n, (group, _ids) in enumerate(groups)
    ]


def _column(f: Figure, groups: list[list[int]], start: date, end: date) -> list:
    """One figure for every group: at once when the figure can, else group by group."""
    if f.compute_many is not None:
        answers = f.compute_many(groups, start, end)
        return [value if ids else None for value, ids in zip(answers, groups, strict=True)]
    return [f.compute(ids, start, end) if ids else None for ids in groups]
