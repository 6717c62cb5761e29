"""Every scoped read of the care app. Managers and viewers see their
compounds' whole list; a caretaker (staff, volunteer, party member) only the
people assigned to them; a resident nothing."""

import statistics
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from wanjia.core.models import Compound, Membership, ScopeType, User
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import get_or_404, scope_q
from wanjia.estates.models import Resident

from .models import (
    CarePerson,
    Escalation,
    EscalationStatus,
    Level,
    Reason,
    Result,
    Visit,
    VisitStatus,
)
from .services.visits import overdue_people

__all__ = ["get_or_404"]


def _view_roles():
    return CAPABILITIES["care.view"] | CAPABILITIES["care.manage"]


def compounds_for(user, action: str = "care.view"):
    roles = _view_roles() if action == "care.view" else CAPABILITIES[action]
    return Compound.objects.filter(scope_q(user, roles=roles, compound="id")).order_by("code")


def compounds_seen(user):
    return Compound.objects.filter(scope_q(user, compound="id"))


def _assigned(user) -> Q:
    return Q(pk__in=CarePerson.objects.filter(caretakers=user).values("pk"))


def people_visible_to(user):
    q = scope_q(user, roles=_view_roles(), compound="compound_id") | (
        scope_q(user, roles=CAPABILITIES["care.visit"], compound="compound_id") & _assigned(user)
    )
    return CarePerson.objects.filter(q).select_related("resident__building", "compound")


def visits_visible_to(user):
    people = people_visible_to(user).values("pk")
    return Visit.objects.filter(person__in=people).select_related(
        "person__resident", "building", "compound", "caretaker"
    )


def escalations_visible_to(user):
    visits = visits_visible_to(user).values("pk")
    return Escalation.objects.filter(visit__in=visits).select_related(
        "visit__person__resident", "visit__building", "owner", "compound"
    )


def _by_building(visits):
    return sorted(
        visits,
        key=lambda v: (
            getattr(v.building, "sort", 0) if v.building else 0,
            v.building.name if v.building else "",
            v.person.resident.household_id,
            v.pk,
        ),
    )


def my_visits(user, day: date | None = None) -> dict:
    """The caretaker's visits of ``day`` (today), by building; the ones past
    the cut-off with their chains."""
    day = day or timezone.localdate()
    rows = list(
        visits_visible_to(user)
        .filter(date=day)
        .filter(Q(caretaker=user) | Q(person__caretakers=user))
        .distinct()
        .select_related("escalation")
    )
    rows = _by_building(rows)
    pending = [v for v in rows if v.status == VisitStatus.PENDING]
    # "done" counts only visits recorded: one past the cut-off without a record
    # is "missed" (it became an escalation), never counted as recorded
    done = sum(v.status == VisitStatus.DONE for v in rows)
    return {
        "day": day,
        "visits": rows,
        "pending": pending,
        "done": done,
        "missed": len(rows) - len(pending) - done,
    }


def masked_name(name: str) -> str:
    """张伟 -> 张*，欧阳修文 -> 欧***: the family name and a star a character."""
    name = name or ""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def day_overview(compound, day: date) -> dict:
    visits = _by_building(
        Visit.objects.filter(compound=compound, date=day).select_related(
            "person__resident", "building", "caretaker"
        )
    )
    counts = dict.fromkeys(VisitStatus.values, 0)
    for v in visits:
        counts[v.status] += 1
    return {"visits": visits, "counts": counts, "day": day}


# ---- figures


def _local_bounds(start: date, end: date):
    lo = timezone.make_aware(datetime.combine(start, time(0)))
    return lo, timezone.make_aware(datetime.combine(end + timedelta(days=1), time(0)))


def on_time(compound_ids, start: date, end: date) -> float | None:
    """Share of the visits of [start, end] (past their cut-off) recorded by it."""
    now = timezone.now()
    visits = Visit.objects.filter(
        compound_id__in=compound_ids, date__gte=start, date__lte=end, due_by__lte=now
    )
    total = visits.count()
    if not total:
        return None
    done = visits.filter(recorded_at__isnull=False, recorded_at__lte=models_due()).count()
    return done / total


def models_due():
    from django.db.models import F

    return F("due_by")


def missed(compound_ids, start: date, end: date) -> int:
    """Visits of [start, end] not recorded by their cut-off."""
    now = timezone.now()
    return (
        Visit.objects.filter(
            compound_id__in=compound_ids, date__gte=start, date__lte=end, due_by__lte=now
        )
        .filter(Q(recorded_at__isnull=True) | Q(recorded_at__gt=models_due()))
        .count()
    )


def escalations_opened(compound_ids, start: date, end: date) -> int:
    lo, hi = _local_bounds(start, end)
    return Escalation.objects.filter(
        compound_id__in=compound_ids, opened_at__gte=lo, opened_at__lt=hi
    ).count()


def minutes_to_reached(compound_ids, start: date, end: date) -> float | None:
    """Median minutes from a chain's opening to the person reached (safe or in
    hospital), over chains opened in [start, end]."""
    lo, hi = _local_bounds(start, end)
    rows = Escalation.objects.filter(
        compound_id__in=compound_ids,
        opened_at__gte=lo,
        opened_at__lt=hi,
        status=EscalationStatus.RESOLVED,
        result__in=[Result.SAFE, Result.HOSPITAL],
    ).values_list("opened_at", "resolved_at")
    minutes = [(b - a).total_seconds() / 60 for a, b in rows if b is not None]
    return round(statistics.median(minutes), 1) if minutes else None


def people_overdue(compound_ids, start: date, end: date) -> int:
    """People overdue for their level's visit as of ``end`` (today at most)."""
    return len(overdue_people(compound_ids, min(end, timezone.localdate())))


def open_escalations(compound):
    return (
        Escalation.objects.filter(compound=compound, status=EscalationStatus.OPEN)
        .select_related("visit__person__resident", "visit__building", "owner")
        .order_by("due_at")
    )


# ---- the rows the pages and endpoints fetch (moved out of the handlers) -----------------------
# The gates (core.scoping.gate in the views) take these querysets: the tenancy rule stays
# there, the shape of what is fetched lives here.


def person_rows():
    return CarePerson.objects.select_related("compound", "resident__building")


def escalation_rows(user):
    return escalations_visible_to(user).select_related("visit__person")


def visit_rows(user):
    """A visit with its person's household (the phone's visit page)."""
    return visits_visible_to(user).select_related("person__resident__household")


def visits_of_day(user, compound, day: date):
    return visits_visible_to(user).filter(compound=compound, date=day)


def escalations_of(user, compound, status: str = ""):
    """A compound's escalations by due time, of one status when given (the API list)."""
    rows = escalations_visible_to(user).filter(compound=compound).order_by("due_at", "id")
    if status:
        rows = rows.filter(status=status)
    return rows


def recent_resolved(compound, *, limit: int = 20):
    return (
        Escalation.objects.filter(compound=compound, status="resolved")
        .select_related("visit__person__resident", "resolved_by")
        .order_by("-resolved_at")[:limit]
    )


def people_list(user, compound, *, level: str = "", reason: str = "", q: str = ""):
    """The care list of a compound with the page's filters (unknown values ignored)."""
    rows = people_visible_to(user).filter(compound=compound)
    if level in Level.values:
        rows = rows.filter(level=level)
    if reason in Reason.values:
        rows = rows.filter(reason=reason)
    if q.strip():
        rows = rows.filter(resident__name__contains=q.strip()[:20])
    return rows.prefetch_related("caretakers").order_by(
        "resident__building__sort", "resident__household_id"
    )


def caretaker_choices(compound):
    """Active users who may visit in the compound (the caretaker picker)."""
    ids = Membership.objects.filter(
        role__in=CAPABILITIES["care.visit"], scope_type=ScopeType.COMPOUND, compound=compound
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "id")


def users_by_ids(ids) -> list:
    return list(User.objects.filter(pk__in=ids))


def candidates(compound):
    """Residents living alone not yet on the care list (the add form)."""
    return (
        Resident.objects.filter(compound=compound, care__isnull=True)
        .filter(lives_alone=True)
        .select_related("building", "household")
        .order_by("birth_date", "id")[:200]
    )


def compound_resident(compound, pk: int):
    return Resident.objects.filter(pk=pk, compound=compound).first()


def caretaker_ids(person) -> set:
    return set(person.caretakers.values_list("pk", flat=True))


def recent_absences(person, *, limit: int = 10):
    return person.absences.order_by("-starts_on")[:limit]
