"""Every scoped read of the volunteers app."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from wanjia.core.models import Compound
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import get_or_404, scope_q
from wanjia.estates.models import StaffMember
from wanjia.party.models import ACTIVE_STATUSES, Member

from .models import (
    AppStatus,
    Certificate,
    HoursEntry,
    Signup,
    SignupStatus,
    Task,
    Team,
    Thanks,
    ThanksStatus,
    ThanksTarget,
    Volunteer,
)

__all__ = ["get_or_404"]


def compounds_for(user, action: str):
    return Compound.objects.filter(
        scope_q(user, roles=CAPABILITIES[action], compound="id")
    ).order_by("code")


def compounds_console(user):
    roles = CAPABILITIES["volunteers.manage"] | CAPABILITIES["volunteers.post"]
    return Compound.objects.filter(scope_q(user, roles=roles, compound="id")).order_by("code")


def compounds_seen(user):
    return Compound.objects.filter(scope_q(user, compound="id"))


def my_compounds(user):
    """The compounds the user lives or serves in (for the phone pages)."""
    return compounds_seen(user).select_related("company").order_by("code")


# ---- volunteers ------------------------------------------------------------------


def volunteer_rows(user):
    return Volunteer.objects.filter(scope_q(user, compound="compound_id")).select_related(
        "compound", "user"
    )


def applications(compound, status: str = AppStatus.PENDING):
    return Volunteer.objects.filter(compound=compound, status=status).order_by("applied_at", "id")


def my_records(user):
    return Volunteer.objects.filter(user=user).select_related("compound").order_by("id")


def my_record(user, compound) -> Volunteer | None:
    return Volunteer.objects.filter(user=user, compound=compound).first()


def volunteers_of(compound, q: str = ""):
    rows = Volunteer.objects.filter(compound=compound, status=AppStatus.APPROVED)
    if q:
        rows = rows.filter(name__contains=q)
    return rows.annotate(total=Sum("hours__minutes")).order_by("name", "id")


def volunteers_by_ids(compound, ids):
    return list(
        Volunteer.objects.filter(compound=compound, status=AppStatus.APPROVED, pk__in=list(ids))
    )


def teams_of(compound):
    return (
        Team.objects.filter(compound=compound)
        .select_related("leader")
        .prefetch_related("members")
        .order_by("kind")
    )


def team_rows(user):
    return Team.objects.filter(scope_q(user, compound="compound_id")).select_related("compound")


# ---- tasks -------------------------------------------------------------------------


def task_rows(user):
    return Task.objects.filter(scope_q(user, compound="compound_id")).select_related(
        "compound", "owner"
    )


def tasks_of(compound, *, upcoming: bool | None = None, now=None):
    now = now or timezone.now()
    rows = Task.objects.filter(compound=compound).select_related("owner")
    if upcoming is True:
        rows = rows.filter(ends_at__gte=now)
    elif upcoming is False:
        rows = rows.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    return rows


def open_tasks(compound_ids, *, now=None):
    """Tasks not cancelled that have not ended, soonest first."""
    now = now or timezone.now()
    return (
        Task.objects.filter(compound_id__in=list(compound_ids), cancelled_at=None, ends_at__gte=now)
        .select_related("compound")
        .order_by("starts_at", "id")
    )


def tasks_api(user, compound, *, now=None):
    return open_tasks([compound.pk], now=now)


def roster(task):
    return task.signups.select_related("volunteer", "confirmed_by").order_by(
        "status", "signed_at", "id"
    )


def signup_rows(user):
    return Signup.objects.filter(scope_q(user, compound="compound_id")).select_related(
        "task", "task__compound", "volunteer"
    )


def my_signup_rows(user):
    return signup_rows(user).filter(volunteer__user=user)


def my_volunteer_rows(user):
    return volunteer_rows(user).filter(user=user)


def my_signups(user, *, now=None):
    """The user's live sign-ups: ``current`` (not yet ended, or checked in and
    not out) and ``past`` (the last 20)."""
    now = now or timezone.now()
    rows = (
        Signup.objects.filter(volunteer__user=user, status=SignupStatus.SIGNED)
        .select_related("task", "task__compound", "volunteer")
        .order_by("task__starts_at", "id")
    )
    current = list(
        rows.filter(
            Q(task__ends_at__gte=now) | Q(checked_in_at__isnull=False, checked_out_at=None)
        ).filter(task__cancelled_at=None)
    )
    ids = {s.pk for s in current}
    past = [s for s in rows.order_by("-task__starts_at", "-id")[:40] if s.pk not in ids][:20]
    return {"current": current, "past": past}


def my_signup_task_ids(user, task_ids) -> set[int]:
    return set(
        Signup.objects.filter(
            volunteer__user=user, status=SignupStatus.SIGNED, task_id__in=list(task_ids)
        ).values_list("task_id", flat=True)
    )


def to_confirm(compound, user=None):
    """Sign-ups of started tasks whose hours nobody confirmed yet."""
    rows = Signup.objects.filter(
        compound=compound,
        status=SignupStatus.SIGNED,
        confirmed_at=None,
        task__starts_at__lte=timezone.now(),
        task__cancelled_at=None,
    )
    if user is not None:
        rows = rows.filter(task__owner=user)
    return rows


# ---- hours ---------------------------------------------------------------------


def ledger_of(volunteer):
    return HoursEntry.objects.filter(volunteer=volunteer).order_by("-day", "-id")


def minutes_of(volunteer) -> int:
    return HoursEntry.objects.filter(volunteer=volunteer).aggregate(m=Sum("minutes"))["m"] or 0


def ledger(compound, start: date | None = None, end: date | None = None):
    rows = HoursEntry.objects.filter(compound=compound).select_related("volunteer", "confirmed_by")
    if start:
        rows = rows.filter(day__gte=start)
    if end:
        rows = rows.filter(day__lte=end)
    return rows.order_by("volunteer__name", "volunteer_id", "day", "id")


def ledger_totals(compound, start: date | None = None, end: date | None = None):
    rows = HoursEntry.objects.filter(compound=compound)
    if start:
        rows = rows.filter(day__gte=start)
    if end:
        rows = rows.filter(day__lte=end)
    return (
        rows.values("volunteer_id", "volunteer__name")
        .annotate(minutes=Sum("minutes"), n=Count("id"))
        .order_by("-minutes", "volunteer__name")
    )


def lifetime_minutes(compound) -> dict[int, int]:
    return dict(
        HoursEntry.objects.filter(compound=compound)
        .values("volunteer_id")
        .annotate(m=Sum("minutes"))
        .values_list("volunteer_id", "m")
    )


def certificate_rows(user):
    """A volunteer's own certificates, and every certificate of a compound
    the user manages."""
    manage = scope_q(user, roles=CAPABILITIES["volunteers.manage"], compound="compound_id")
    return Certificate.objects.filter(manage | Q(volunteer__user=user)).select_related(
        "volunteer", "compound"
    )


def certificates_of(volunteer):
    return Certificate.objects.filter(volunteer=volunteer).order_by("-issued_at", "-id")


# ---- thanks ----------------------------------------------------------------------


def wall(compound, limit: int = 60):
    return Thanks.objects.filter(compound=compound, status=ThanksStatus.SHOWN).order_by(
        "-created_at", "-id"
    )[:limit]


def thanks_of(compound, status: str = ""):
    rows = Thanks.objects.filter(compound=compound)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def thanks_rows(user):
    return Thanks.objects.filter(scope_q(user, compound="compound_id")).select_related("compound")


def my_thanks(user, compound):
    return Thanks.objects.filter(author=user, compound=compound).order_by("-created_at")[:10]


def thanks_tally(compound):
    """Shown thanks per person, most thanked first (the person's record)."""
    return (
        Thanks.objects.filter(compound=compound, status=ThanksStatus.SHOWN)
        .values("target_kind", "target_id", "target_name")
        .annotate(n=Count("id"))
        .order_by("-n", "target_name")[:30]
    )


def thanks_count(kind: str, pk: int) -> int:
    return Thanks.objects.filter(target_kind=kind, target_id=pk, status=ThanksStatus.SHOWN).count()


def thank_targets(compound) -> dict[str, list[tuple[int, str]]]:
    """Whom a resident may thank in ``compound``: its staff, its party
    members, its approved volunteers ((id, name) each)."""
    staff = list(
        StaffMember.objects.filter(compound=compound, active=True)
        .order_by("name", "id")
        .values_list("pk", "name")[:200]
    )
    party = list(
        Member.objects.filter(compound=compound, status__in=ACTIVE_STATUSES)
        .order_by("name", "id")
        .values_list("pk", "name")[:200]
    )
    vols = list(
        Volunteer.objects.filter(compound=compound, status=AppStatus.APPROVED)
        .order_by("name", "id")
        .values_list("pk", "name")[:300]
    )
    return {ThanksTarget.STAFF: staff, ThanksTarget.PARTY: party, ThanksTarget.VOLUNTEER: vols}


def thank_target(compound, kind: str, pk: int) -> str | None:
    """The name of the person ``kind``/``pk`` in ``compound``, or None."""
    if kind == ThanksTarget.STAFF:
        rows = StaffMember.objects.filter(compound=compound, active=True, pk=pk)
    elif kind == ThanksTarget.PARTY:
        rows = Member.objects.filter(compound=compound, status__in=ACTIVE_STATUSES, pk=pk)
    elif kind == ThanksTarget.VOLUNTEER:
        rows = Volunteer.objects.filter(compound=compound, status=AppStatus.APPROVED, pk=pk)
    else:
        return None
    return rows.values_list("name", flat=True).first()


# ---- figures ---------------------------------------------------------------------


def _span(start: date, end: date):
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _by_compound(field_values, groups):
    out = []
    for ids in groups:
        out.append(sum(field_values.get(i, 0) for i in ids))
    return out


def active_volunteers_many(groups, start: date, end: date) -> list:
    """Approved volunteers with confirmed hours of service in the period."""
    ids = {i for g in groups for i in g}
    per = defaultdict(int)
    for compound_id, n in (
        HoursEntry.objects.filter(compound_id__in=ids, day__gte=start, day__lte=end)
        .values("compound_id")
        .annotate(n=Count("volunteer_id", distinct=True))
        .values_list("compound_id", "n")
    ):
        per[compound_id] = n
    return _by_compound(per, groups)


def active_volunteers(compound_ids, start: date, end: date):
    return active_volunteers_many([list(compound_ids)], start, end)[0]


def hours_many(groups, start: date, end: date) -> list:
    """Confirmed volunteer hours served in the period (by service date)."""
    ids = {i for g in groups for i in g}
    per = defaultdict(int)
    for compound_id, m in (
        HoursEntry.objects.filter(compound_id__in=ids, day__gte=start, day__lte=end)
        .values("compound_id")
        .annotate(m=Sum("minutes"))
        .values_list("compound_id", "m")
    ):
        per[compound_id] = m or 0
    return [round(m / 60, 1) for m in _by_compound(per, groups)]


def hours(compound_ids, start: date, end: date):
    return hours_many([list(compound_ids)], start, end)[0]


# ---- other modules' pages -------------------------------------------------------


def tasks_from(source: str):
    return Task.objects.filter(source=source).order_by("starts_at", "id")


def summary_of_source(source: str) -> dict:
    tasks = list(tasks_from(source))
    confirmed = (
        HoursEntry.objects.filter(signup__task__source=source).aggregate(m=Sum("minutes"))["m"] or 0
    )
    return {
        "tasks": tasks,
        "places": sum(t.places for t in tasks if t.cancelled_at is None),
        "taken": sum(t.taken for t in tasks if t.cancelled_at is None),
        "hours": round(confirmed / 60, 1),
    }
