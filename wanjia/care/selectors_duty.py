"""Reads of the 24-hour duty (the roster grid, who is on duty now and next,
handovers), the needs-help follow-ups and the per-caretaker figures."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from wanjia.core.jobs import jobs_visible_to
from wanjia.core.models import Job, User

from .models import (
    DutyLeave,
    DutyShift,
    Escalation,
    EscalationStatus,
    FollowUp,
    FollowUpStatus,
    Handover,
    Result,
    Visit,
    VisitStatus,
)
from .services.duty import COVER, JOB_KIND, SHIFT_BY_KEY, SHIFTS, leave_days, masked, team_of
from .services.visits import overdue_people


@dataclass
class Row:
    user_id: int
    name: str
    cells: list[list[str]] = field(default_factory=list)
    nights: int = 0
    hours: int = 0
    tds: list = field(default_factory=list)


def grid(compound, start: date, days: int) -> dict:
    """Duty team × days: each cell the shift keys of that day; nights and hours
    per person; cover per day and shift."""
    dates = [start + timedelta(days=n) for n in range(days)]
    rows = {u.pk: Row(u.pk, u.name) for u in team_of(compound)}
    shifts = list(
        DutyShift.objects.filter(
            compound=compound, date__gte=start, date__lt=start + timedelta(days=days)
        )
        .select_related("user")
        .order_by("date", "starts_at", "user_id")
    )
    for s in shifts:
        rows.setdefault(s.user_id, Row(s.user_id, s.user.name))
    for row in rows.values():
        row.cells = [[] for _ in dates]
    cover = {}
    for s in shifts:
        row = rows[s.user_id]
        row.cells[(s.date - start).days].append(s.shift)
        d = SHIFT_BY_KEY.get(s.shift)
        row.hours += d.hours if d else 0
        row.nights += bool(d and d.is_night)
        cover[(s.date, s.shift)] = cover.get((s.date, s.shift), 0) + 1
    away = leave_days(compound, start, days)
    for row in rows.values():
        mine = away.get(row.user_id, set())
        row.tds = [(d, keys, d in mine) for d, keys in zip(dates, row.cells, strict=True)]
    return {
        "dates": dates,
        "rows": list(rows.values()),
        "cover": [
            {
                "shift": sd,
                "need": COVER.get(sd.key, 0),
                "counts": [cover.get((d, sd.key), 0) for d in dates],
            }
            for sd in SHIFTS
        ],
        "count": len(shifts),
        "leave": DutyLeave.objects.filter(
            compound=compound, start__lte=dates[-1], end__gte=start
        ).select_related("user"),
    }


def duty_job_of(compound, pk: int):
    return Job.objects.filter(pk=pk, kind=JOB_KIND, compound=compound).first()


def duty_job_rows():
    return Job.objects.filter(kind=JOB_KIND).select_related("compound")


def duty_jobs_visible_to(user):
    return jobs_visible_to(user).filter(kind=JOB_KIND)


def leave_rows():
    return DutyLeave.objects.select_related("compound")


def shift_rows():
    return DutyShift.objects.select_related("compound", "user")


def handover_rows():
    return Handover.objects.select_related("compound", "author", "acknowledged_by")


def followup_rows():
    return FollowUp.objects.select_related("compound", "owner", "person__resident")


def _person(shift: DutyShift) -> dict:
    return {
        "shift": shift,
        "label": SHIFT_BY_KEY[shift.shift].label if shift.shift in SHIFT_BY_KEY else shift.shift,
        "name": shift.user.name,
        "phone": masked(shift.user),
    }


def board(compound, now: datetime | None = None) -> dict:
    """Who is on duty now and who comes next (with masked phones), and the
    handovers nobody has acknowledged yet."""
    now = now or timezone.now()
    rows = DutyShift.objects.filter(compound=compound).select_related("user")
    current = [_person(s) for s in rows.filter(starts_at__lte=now, ends_at__gt=now)]
    upcoming = rows.filter(starts_at__gt=now).order_by("starts_at", "id")
    first = upcoming.first()
    nxt = [_person(s) for s in upcoming.filter(starts_at=first.starts_at)] if first else []
    return {
        "now": now,
        "current": current,
        "next": nxt,
        "next_at": first.starts_at if first else None,
        "unacknowledged": list(
            Handover.objects.filter(compound=compound, acknowledged_at__isnull=True)
            .select_related("author")
            .order_by("-created_at")[:20]
        ),
        "recent": list(
            Handover.objects.filter(compound=compound, acknowledged_at__isnull=False)
            .select_related("author", "acknowledged_by")
            .order_by("-created_at")[:10]
        ),
    }


def my_duty(user, now: datetime | None = None, limit: int = 4) -> list[DutyShift]:
    """The user's duty shifts not yet over (any compound), soonest first."""
    now = now or timezone.now()
    rows = list(
        DutyShift.objects.filter(user=user, ends_at__gt=now)
        .select_related("compound")
        .order_by("starts_at", "id")[:limit]
    )
    for r in rows:
        r.label = SHIFT_BY_KEY[r.shift].label if r.shift in SHIFT_BY_KEY else r.shift
        r.running = r.starts_at <= now
    return rows


def duty_compounds(user, now: datetime | None = None) -> list:
    """Compounds where the user is on duty now or within two hours (the phone
    duty page's handover forms)."""
    now = now or timezone.now()
    ids = DutyShift.objects.filter(
        user=user, starts_at__lte=now + timedelta(hours=2), ends_at__gt=now - timedelta(hours=2)
    ).values_list("compound_id", flat=True)
    return sorted(set(ids))


def unacknowledged_count(compound_ids) -> int:
    return Handover.objects.filter(
        compound_id__in=compound_ids, acknowledged_at__isnull=True
    ).count()


# ---- follow-ups -------------------------------------------------------------------------------


def followups_of(compound, *, status: str = "open"):
    rows = FollowUp.objects.filter(compound=compound).select_related(
        "owner", "person__resident__building", "closed_by", "visit"
    )
    if status == "closed":
        return rows.filter(status=FollowUpStatus.CLOSED).order_by("-closed_at")[:50]
    return rows.filter(status=FollowUpStatus.OPEN).order_by("due_at", "id")


def owner_choices(compound) -> list:
    """Who may own a follow-up: the compound's caretakers and managers."""
    from wanjia.core.models import Membership, ScopeType
    from wanjia.core.roles import CAPABILITIES

    roles = CAPABILITIES["care.visit"] | CAPABILITIES["care.manage"]
    ids = Membership.objects.filter(
        role__in=roles, scope_type=ScopeType.COMPOUND, compound=compound
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "id"))


def followups_of_visit(visit) -> list:
    return list(FollowUp.objects.filter(visit=visit).select_related("owner").order_by("id"))


def followups_owned(user):
    return FollowUp.objects.filter(owner=user, status=FollowUpStatus.OPEN).select_related(
        "person__resident", "compound"
    )


def overdue_followups(compound_ids, now: datetime | None = None):
    now = now or timezone.now()
    return FollowUp.objects.filter(
        compound_id__in=compound_ids, status=FollowUpStatus.OPEN, due_at__lte=now
    )


# ---- per caretaker figures ------------------------------------------------------------------------


def _bounds(start: date, end: date):
    return (
        timezone.make_aware(datetime.combine(start, time(0))),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time(0))),
    )


def caretaker_figures(compound, start: date, end: date) -> list[dict]:
    """Per caretaker over [start, end]: visits due (past their cut-off), on
    time %, missed, escalations opened on their visits, the median minutes
    from an escalation to the person reached, and the people they are the
    primary caretaker of who are overdue for their level's visit."""
    now = timezone.now()
    visits = Visit.objects.filter(
        compound=compound, date__gte=start, date__lte=end, due_by__lte=now
    ).exclude(caretaker=None)
    per: dict[int, dict] = {}

    def row(uid):
        return per.setdefault(
            uid,
            {
                "user_id": uid,
                "due": 0,
                "on_time": 0,
                "missed": 0,
                "escalations": 0,
                "minutes": [],
                "overdue": 0,
            },
        )

    for uid, rec, due in visits.values_list("caretaker_id", "recorded_at", "due_by"):
        r = row(uid)
        r["due"] += 1
        if rec is not None and rec <= due:
            r["on_time"] += 1
        else:
            r["missed"] += 1
    lo, hi = _bounds(start, end)
    escs = Escalation.objects.filter(
        compound=compound, opened_at__gte=lo, opened_at__lt=hi
    ).exclude(visit__caretaker=None)
    for uid, status, result, opened, resolved in escs.values_list(
        "visit__caretaker_id", "status", "result", "opened_at", "resolved_at"
    ):
        r = row(uid)
        r["escalations"] += 1
        if (
            status == EscalationStatus.RESOLVED
            and result in (Result.SAFE, Result.HOSPITAL)
            and resolved
        ):
            r["minutes"].append((resolved - opened).total_seconds() / 60)
    for person in overdue_people([compound.pk], min(end, timezone.localdate())):
        if person.primary_id:
            row(person.primary_id)["overdue"] += 1
    names = {u.pk: u.name for u in User.objects.filter(pk__in=list(per))}
    out = []
    for uid, r in per.items():
        out.append(
            {
                **r,
                "name": names.get(uid, "?"),
                "on_time_pct": round(100 * r["on_time"] / r["due"], 1) if r["due"] else None,
                "median_minutes": round(statistics.median(r["minutes"]), 1)
                if r["minutes"]
                else None,
            }
        )
    return sorted(out, key=lambda r: (r["name"], r["user_id"]))


def unrecorded_today(compound) -> int:
    return Visit.objects.filter(
        compound=compound, date=timezone.localdate(), status=VisitStatus.PENDING
    ).count()
