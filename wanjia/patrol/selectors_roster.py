"""Reads of the rosters: the grid of a compound's team over a date range (the
console page, the print view and the Excel sheet share it) and a guard's next
shifts (the phone page)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from wanjia.core.jobs import jobs_visible_to
from wanjia.core.models import Job

from .models import Leave, RosterShift, ShiftWish
from .services.rosters import COVER, JOB_KIND, SHIFT_BY_KEY, SHIFTS, leave_days, members_of


@dataclass
class Row:
    user_id: int
    name: str
    role: str
    role_label: str
    cells: list[list[str]] = field(default_factory=list)  # per day: shift keys
    nights: int = 0
    hours: int = 0
    week_hours: list[int] = field(default_factory=list)
    tds: list[tuple[date, list[str], bool]] = field(default_factory=list)  # day, shifts, away


def shifts_in(compound, start: date, days: int):
    return (
        RosterShift.objects.filter(
            compound=compound, date__gte=start, date__lt=start + timedelta(days=days)
        )
        .select_related("user")
        .order_by("date", "starts_at", "user_id")
    )


def grid(compound, start: date, days: int) -> dict:
    """Team members × days; in each cell the shift keys of that day; nights and
    hours per person, hours per 7-day block from ``start``; cover per day and
    shift. People rostered but no longer in the team still get a row."""
    dates = [start + timedelta(days=n) for n in range(days)]
    members = members_of(compound)
    rows = {
        m.user_id: Row(m.user_id, m.user.name, m.role, str(m.get_role_display())) for m in members
    }
    shifts = list(shifts_in(compound, start, days))
    for s in shifts:
        if s.user_id not in rows:
            rows[s.user_id] = Row(s.user_id, s.user.name, "", "")
    weeks = (days + 6) // 7
    for row in rows.values():
        row.cells = [[] for _ in dates]
        row.week_hours = [0] * weeks
    cover = {(d, key): 0 for d in dates for key in SHIFT_BY_KEY}
    for s in shifts:
        n = (s.date - start).days
        row = rows[s.user_id]
        row.cells[n].append(s.shift)
        definition = SHIFT_BY_KEY.get(s.shift)
        hours = definition.hours if definition else 0
        row.hours += hours
        row.week_hours[n // 7] += hours
        row.nights += bool(definition and definition.is_night)
        cover[(s.date, s.shift)] = cover.get((s.date, s.shift), 0) + 1
    away = leave_days(compound, start, days)
    for row in rows.values():
        mine = away.get(row.user_id, set())
        row.tds = [(d, keys, d in mine) for d, keys in zip(dates, row.cells, strict=True)]
    return {
        "dates": dates,
        "rows": list(rows.values()),
        "weeks": [(dates[w * 7], dates[min(w * 7 + 6, days - 1)]) for w in range(weeks)],
        "cover": [
            {
                "shift": sd,
                "need": COVER.get(sd.key, 0),
                "counts": [cover.get((d, sd.key), 0) for d in dates],
            }
            for sd in SHIFTS
        ],
        "count": len(shifts),
        "leave": Leave.objects.filter(
            compound=compound, start__lte=dates[-1], end__gte=start
        ).select_related("user"),
    }


def my_next_shifts(user, *, now=None, limit: int = 5):
    """The user's shifts not yet over, soonest first (in any compound)."""
    now = now or timezone.now()
    return (
        RosterShift.objects.filter(user=user, ends_at__gt=now)
        .select_related("compound")
        .order_by("starts_at", "id")[:limit]
    )


# ---- the rows the roster pages and endpoints fetch (moved out of the handlers) ----------------


def roster_jobs_visible_to(user):
    """The roster build jobs the user may follow (the API's job endpoint)."""
    return jobs_visible_to(user).filter(kind=JOB_KIND)


def roster_job_of(compound, pk: int):
    """The roster build job ``pk`` of a compound, or None (the grid's ?job=)."""
    return Job.objects.filter(pk=pk, kind=JOB_KIND, compound=compound).first()


def roster_job_rows():
    """What the job gate (views.roster.job_part) fetches."""
    return Job.objects.filter(kind=JOB_KIND).select_related("compound")


def leave_rows():
    return Leave.objects.select_related("compound")


def wish_rows():
    return ShiftWish.objects.select_related("compound")
