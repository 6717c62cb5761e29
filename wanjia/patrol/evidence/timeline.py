"""The night timeline: cover, gaps and the night's rounds on one axis."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from ..models import (
    Outpost,
    OutpostShift,
    Run,
)
from ..services.outposts import staffed_window
from .intervals import clip, gaps_in, merge, minutes, nights_window


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
