"""Reads for the outposts, the night timeline and the monthly evidence report
for the 平安小区 (smart-safe compound) rating, and the regulator's figures
computed from them.

Every window here is a run of *nights*: the nights of local dates
``first``..``last`` run from 12:00 on ``first`` to 12:00 the day after
``last`` (as ``selectors.completion`` counts them), so a round at 02:00 on the
1st belongs to the last night of the month before. What has not happened yet
is not counted: stops not yet due, outpost hours still to come."""

import statistics
from calendar import monthrange
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from wanjia.core.models import Membership, User
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import scope_q

from .models import (
    CheckIn,
    Flag,
    Incident,
    IncidentCategory,
    Outpost,
    OutpostShift,
    Run,
    RunStop,
    Severity,
)
from .selectors import due_and_done_by_compound
from .services.outposts import staffed_window

# ---- time intervals


def merge(intervals):
    """Sorted, non-overlapping union of ``(start, end)`` pairs."""
    out = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def clip(intervals, lo, hi):
    return [(max(s, lo), min(e, hi)) for s, e in intervals if min(e, hi) > max(s, lo)]


def gaps_in(window, covered):
    """The parts of ``window`` that the merged ``covered`` intervals leave open."""
    lo, hi = window
    gaps, at = [], lo
    for s, e in merge(clip(covered, lo, hi)):
        if s > at:
            gaps.append((at, s))
        at = max(at, e)
    if at < hi:
        gaps.append((at, hi))
    return gaps


def minutes(intervals) -> float:
    return sum((e - s).total_seconds() for s, e in intervals) / 60


def nights_window(first: date, last: date) -> tuple[datetime, datetime]:
    lo = timezone.make_aware(datetime.combine(first, time(12)))
    hi = timezone.make_aware(datetime.combine(last + timedelta(days=1), time(12)))
    return lo, hi


def month_nights(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


# ---- outposts and shifts


def outposts_visible_to(user):
    return Outpost.objects.filter(scope_q(user, compound="compound_id")).select_related("compound")


def compound_outposts(user, compound):
    """A compound's outposts (the console's list)."""
    return outposts_visible_to(user).filter(compound=compound)


def outpost_rows():
    """What the outpost gate (views.outposts) fetches."""
    return Outpost.objects.select_related("compound")


def outpost_shift_rows():
    """What the shift gate (views.outposts) fetches."""
    return OutpostShift.objects.select_related("outpost__compound")


def staff_of(compound):
    """The people who may stand at an outpost: the compound's patrol roles."""
    ids = Membership.objects.filter(
        compound_id=compound.pk, role__in=CAPABILITIES["patrol.patrol"]
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username")


def shifts_from(outpost, night: date, days: int = 14):
    """The outpost's shifts of the ``days`` nights from ``night`` on."""
    lo, hi = nights_window(night, night + timedelta(days=days - 1))
    return (
        OutpostShift.objects.filter(outpost=outpost, ends_at__gt=lo, starts_at__lt=hi)
        .select_related("user")
        .order_by("starts_at")
    )


def _cover_of(outposts, first: date, last: date, now) -> dict:
    """Per outpost and night: required minutes (up to ``now``), staffed minutes
    and the gaps. ``{outpost_id: [night rows]}``."""
    outposts = list(outposts)
    lo, hi = nights_window(first, last)
    shifts = defaultdict(list)
    for s in OutpostShift.objects.filter(
        outpost__in=outposts,
        starts_at__lt=hi + timedelta(days=1),
        ends_at__gt=lo - timedelta(days=1),
    ).values("outpost_id", "starts_at", "ends_at"):
        shifts[s["outpost_id"]].append((s["starts_at"], s["ends_at"]))
    out = {}
    for outpost in outposts:
        rows = []
        night = first
        while night <= last:
            start, end = staffed_window(outpost, night)
            end = min(end, now)
            if end > start:
                covered = merge(clip(shifts[outpost.pk], start, end))
                gaps = gaps_in((start, end), covered)
                rows.append(
                    {
                        "night": night,
                        "required": minutes([(start, end)]),
                        "staffed": minutes(covered),
                        "gaps": gaps,
                    }
                )
            night += timedelta(days=1)
        out[outpost.pk] = rows
    return out


def cover(compound_ids, first: date, last: date, now=None) -> dict:
    """Outpost cover over the nights ``first``..``last``: required and staffed
    minutes, the share (None when nothing was required) and the gap count,
    with one row per outpost."""
    now = now or timezone.now()
    outposts = list(
        Outpost.objects.filter(compound_id__in=compound_ids, active=True).order_by(
            "compound_id", "name", "id"
        )
    )
    per = _cover_of(outposts, first, last, now)
    rows = []
    for o in outposts:
        nights = per[o.pk]
        required = sum(n["required"] for n in nights)
        staffed = sum(n["staffed"] for n in nights)
        rows.append(
            {
                "outpost": o,
                "required": required,
                "staffed": staffed,
                "share": staffed / required if required else None,
                "required_h": round(required / 60, 1),
                "staffed_h": round(staffed / 60, 1),
                "gaps": sum(len(n["gaps"]) for n in nights),
                "gap_list": [(n["night"], g) for n in nights for g in n["gaps"]],
            }
        )
    required = sum(r["required"] for r in rows)
    staffed = sum(r["staffed"] for r in rows)
    return {
        "required": required,
        "staffed": staffed,
        "share": staffed / required if required else None,
        "gaps": sum(r["gaps"] for r in rows),
        "rows": rows,
    }


# ---- the night timeline


def night_timeline(compound, night: date, now=None) -> dict:
    """One row per outpost on ``night``: the required hours, the shifts and the
    gaps, placed in per cent of a common time axis, and the night's rounds on
    the same axis."""
    now = now or timezone.now()
    outposts = list(Outpost.objects.filter(compound=compound, active=True).order_by("name", "id"))
    windows = {o.pk: staffed_window(o, night) for o in outposts}
    lo, hi = nights_window(night, night)
    runs = list(
        Run.objects.filter(compound=compound, starts_at__gte=lo, starts_at__lt=hi)
        .select_related("route")
        .annotate(
            n_done=Count("stops", filter=Q(stops__checkin__isnull=False)),
            n_stops=Count("stops"),
        )
        .order_by("starts_at", "id")
    )
    starts = [w[0] for w in windows.values()] + [r.starts_at for r in runs]
    ends = [w[1] for w in windows.values()] + [r.ends_at for r in runs]
    evening = timezone.make_aware(datetime.combine(night, time(18)))
    morning = timezone.make_aware(datetime.combine(night + timedelta(days=1), time(8)))
    axis_lo = min([evening, *starts]).replace(minute=0, second=0, microsecond=0)
    axis_hi = max([morning, *ends])
    if axis_hi.minute or axis_hi.second or axis_hi.microsecond:
        axis_hi = axis_hi.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    span = (axis_hi - axis_lo).total_seconds()

    def pos(start, end) -> dict:
        left = max(0.0, (start - axis_lo).total_seconds() / span * 100)
        right = min(100.0, (end - axis_lo).total_seconds() / span * 100)
        return {"left": f"{left:.2f}", "width": f"{max(right - left, 0.4):.2f}"}

    shifts = defaultdict(list)
    for s in (
        OutpostShift.objects.filter(
            outpost__in=outposts, starts_at__lt=axis_hi, ends_at__gt=axis_lo
        )
        .select_related("user")
        .order_by("starts_at")
    ):
        shifts[s.outpost_id].append(s)
    rows = []
    for o in outposts:
        start, end = windows[o.pk]
        mine = shifts[o.pk]
        covered = merge(clip([(s.starts_at, s.ends_at) for s in mine], start, end))
        gaps = gaps_in((start, end), covered)
        required = minutes([(start, end)])
        rows.append(
            {
                "outpost": o,
                "start": start,
                "end": end,
                "required": pos(start, end),
                "shifts": [{"shift": s, **pos(s.starts_at, s.ends_at)} for s in mine],
                "gaps": [{"start": gs, "end": ge, **pos(gs, ge)} for gs, ge in gaps],
                "share": minutes(covered) / required if required else None,
                "pct": round(minutes(covered) * 100 / required) if required else None,
            }
        )
    hours = []
    tick = axis_lo
    while tick <= axis_hi:
        hours.append({"at": tick, "left": f"{(tick - axis_lo).total_seconds() / span * 100:.2f}"})
        tick += timedelta(hours=2)
    return {
        "night": night,
        "rows": rows,
        "runs": [{"run": r, **pos(r.starts_at, max(r.ends_at, r.starts_at))} for r in runs],
        "hours": hours,
        "now": pos(now, now) if axis_lo <= now <= axis_hi else None,
        "gap_count": sum(len(r["gaps"]) for r in rows),
    }


# ---- the monthly evidence report


def _stops(compound_ids, lo, hi, now):
    return RunStop.objects.filter(
        run__compound_id__in=compound_ids,
        run__starts_at__gte=lo,
        run__starts_at__lt=hi,
        due_at__lt=now,
    )


def _response_minutes(incidents) -> list[float]:
    return [
        (i["handed_at"] - i["created_at"]).total_seconds() / 60
        for i in incidents
        if i["handed_at"] is not None
    ]


def evidence(compound, year: int, month: int, now=None) -> dict:
    """Every figure of the month's evidence report for one compound."""
    now = now or timezone.now()
    ids = [compound.pk]
    first, last = month_nights(year, month)
    lo, hi = nights_window(first, last)

    runs = list(
        Run.objects.filter(compound=compound, starts_at__gte=lo, starts_at__lt=min(hi, now))
        .annotate(
            n_done=Count("stops", filter=Q(stops__checkin__isnull=False)),
            n_stops=Count("stops"),
        )
        .values("pk", "n_done", "n_stops")
    )
    rounds_planned = len(runs)
    rounds_done = sum(1 for r in runs if r["n_stops"] and r["n_done"] == r["n_stops"])

    stops = _stops(ids, lo, hi, now)
    due = stops.count()
    checked = stops.filter(checkin__isnull=False).count()
    missed = due - checked
    missed_rows = list(
        stops.filter(checkin__isnull=True)
        .select_related("checkpoint", "run__route")
        .order_by("due_at", "order")
    )
    by_checkpoint = Counter(s.checkpoint.name for s in missed_rows)

    checkins = list(
        CheckIn.objects.filter(compound=compound, scanned_at__gte=lo, scanned_at__lt=hi).values(
            "pk", "user_id", "run_id", "flags"
        )
    )
    flag_counts = Counter(f for c in checkins for f in set(c["flags"] or []))
    flags = [
        {"code": f.value, "label": f.label, "count": flag_counts.get(f.value, 0)} for f in Flag
    ]
    flagged = sum(1 for c in checkins if c["flags"])

    incidents = list(
        Incident.objects.filter(compound=compound, created_at__gte=lo, created_at__lt=hi).values(
            "category", "severity", "created_at", "handed_at"
        )
    )
    grid = Counter((i["category"], i["severity"]) for i in incidents)
    severities = list(Severity.choices)
    incident_rows = [
        {
            "label": label,
            "counts": [grid.get((cat, sev), 0) for sev, _l in severities],
            "total": sum(grid.get((cat, sev), 0) for sev, _l in severities),
        }
        for cat, label in IncidentCategory.choices
    ]
    responses = _response_minutes(incidents)

    guards = _per_guard(checkins, now)
    outposts = cover(ids, first, last, now)
    return {
        "compound": compound,
        "year": year,
        "month": month,
        "first": first,
        "last": last,
        "window": (lo, hi),
        "now": now,
        "rounds_planned": rounds_planned,
        "rounds_done": rounds_done,
        "due": due,
        "checked": checked,
        "completion": checked / due if due else None,
        "missed": missed,
        "missed_per_100": missed * 100 / due if due else None,
        "missed_by_checkpoint": by_checkpoint.most_common(),
        "missed_rows": missed_rows,
        "checkins": len(checkins),
        "flagged": flagged,
        "flags": flags,
        "incidents": len(incidents),
        "incident_rows": incident_rows,
        "severities": [label for _v, label in severities],
        "severity_totals": [
            sum(grid.get((cat, sev), 0) for cat, _l in IncidentCategory.choices)
            for sev, _l in severities
        ],
        "handed": len(responses),
        "response_median": statistics.median(responses) if responses else None,
        "outposts": outposts,
        "guards": guards,
    }


def _per_guard(checkins, now) -> list[dict]:
    """Per person who checked in: check-ins, flagged ones, the rounds they walked
    (at least one check-in of theirs) and the completion of those rounds."""
    by_user = defaultdict(list)
    for c in checkins:
        by_user[c["user_id"]].append(c)
    users = {u.pk: u for u in User.objects.filter(pk__in=by_user)}
    rows = []
    for uid, mine in by_user.items():
        run_ids = {c["run_id"] for c in mine if c["run_id"]}
        stops = RunStop.objects.filter(run_id__in=run_ids, due_at__lt=now)
        due = stops.count()
        done = stops.filter(checkin__isnull=False).count()
        user = users[uid]
        rows.append(
            {
                "user": user,
                "name": user.display_name or user.username,
                "checkins": len(mine),
                "flagged": sum(1 for c in mine if c["flags"]),
                "rounds": len(run_ids),
                "due": due,
                "done": done,
                "completion": done / due if due else None,
            }
        )
    return sorted(rows, key=lambda r: (-r["checkins"], r["name"]))


#: What each figure of the report means, shown beside it (口径).
DEFINITIONS = {
    "window": gettext_lazy(
        "统计期为本月各夜：从每月 1 日 12:00 到次月 1 日 12:00；凌晨的巡逻算作前一夜。尚未到时的不计。"
    ),
    "rounds_planned": gettext_lazy("本月各夜已到开始时间的巡逻轮次数。"),
    "rounds_done": gettext_lazy("全部巡更点都已签到的轮次数。"),
    "completion": gettext_lazy(
        "已到应到时间的巡更点中，有签到的比例（与监管看板的巡更完成率一致）。"
    ),
    "missed": gettext_lazy("已到应到时间仍无签到的巡更点次数。"),
    "missed_per_100": gettext_lazy("每 100 个应到巡更点中的漏点数。"),
    "flags": gettext_lazy(
        "带有各类提示的签到次数；一次签到可有多种提示，提示只作参考，不影响签到有效。"
    ),
    "incidents": gettext_lazy("本月各夜巡逻中上报的发现，按类别和严重程度计数。"),
    "response": gettext_lazy(
        "响应时间：从发现上报到转交纠纷调解或报修的分钟数，取已转交的发现的中位数。"
    ),
    "cover": gettext_lazy("岗哨值守率：在用岗哨的要求值守时长中，有人排班在岗的时长所占比例。"),
    "gaps": gettext_lazy("缺岗次数：要求值守的时段中无人在岗的连续时段个数。"),
    "guards": gettext_lazy(
        "每名巡逻人员：本月签到次数、带提示的次数，及其参与过（至少签到一次）的轮次的完成率。"
    ),
}


# ---- figures for the regulator (core.figures)


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
