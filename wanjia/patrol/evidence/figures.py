"""The regulator's patrol figures (core.figures), computed from the same reads as the report."""

import statistics
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..models import (
    Incident,
)
from ..selectors import due_and_done_by_compound
from .intervals import nights_window
from .outposts import cover
from .report import _response_minutes, _stops


def figure_missed_per_100(compound_ids, start: date, end: date) -> float | None:
    lo, hi = nights_window(start, end)
    stops = _stops(compound_ids, lo, hi, timezone.now())
    due = stops.count()
    if not due:
        return None
    return round(stops.filter(checkin__isnull=True).count() * 100 / due, 1)


def figure_missed_per_100_many(groups, start: date, end: date) -> list[float | None]:
    """``figure_missed_per_100`` for every group at once (one grouped query)."""
    return [
        round((due - done) * 100 / due, 1) if due else None
        for due, done in due_and_done_by_compound(groups, start, end)
    ]


def figure_outpost_cover(compound_ids, start: date, end: date) -> float | None:
    return cover(compound_ids, start, end)["share"]


def figure_incident_response(compound_ids, start: date, end: date) -> float | None:
    lo, hi = nights_window(start, end)
    responses = _response_minutes(
        Incident.objects.filter(
            compound_id__in=compound_ids, created_at__gte=lo, created_at__lt=hi
        ).values("created_at", "handed_at")
    )
    return statistics.median(responses) if responses else None


def register() -> None:
    """Called from ``PatrolConfig.ready``: the figures and audit phrases."""
    from wanjia.core import figures
    from wanjia.core.audit import describe_actions

    describe_actions(
        {
            "patrol.outpost.created": gettext_lazy("添加岗哨"),
            "patrol.outpost.updated": gettext_lazy("修改岗哨"),
            "patrol.outpost.retired": gettext_lazy("撤销岗哨"),
            "patrol.outpost.shift_assigned": gettext_lazy("安排岗哨值守"),
            "patrol.outpost.shift_removed": gettext_lazy("取消岗哨值守"),
        }
    )
    figures.register(
        "patrol",
        "patrol.missed_per_100",
        gettext_lazy("每百点漏巡"),
        note=gettext_lazy("期间内各夜每 100 个应到巡更点中，没有签到的点数。"),
        compute=figure_missed_per_100,
        compute_many=figure_missed_per_100_many,
        kind=figures.COUNT,
        better=figures.LOWER,
        order=61,
    )
    figures.register(
        "patrol",
        "patrol.outpost_cover",
        gettext_lazy("岗哨值守率"),
        note=gettext_lazy("期间内各夜在用岗哨要求值守的时长中，有人排班在岗的比例。"),
        compute=figure_outpost_cover,
        kind=figures.RATIO,
        better=figures.HIGHER,
        order=62,
    )
    figures.register(
        "patrol",
        "patrol.incident_response",
        gettext_lazy("巡逻发现响应时间"),
        note=gettext_lazy("期间内巡逻发现从上报到转交调解或报修的分钟数（中位数）。"),
        compute=figure_incident_response,
        kind=figures.MINUTES,
        better=figures.LOWER,
        order=63,
    )
