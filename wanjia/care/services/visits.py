"""Each day's visits, and the outcome recorded on the phone.

``visits_generate(day)`` is idempotent: a visit is unique per (person, date)
and the rows go in with ``ignore_conflicts``, so the periodic job, a retry, a
second worker or the demo loader make each visit once. ``record_outcome`` is
one conditional UPDATE on ``outcome = ''``: of two taps at once (two
caretakers, a retry) one is kept and the other answered 409."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid

from ..access import may_record
from ..models import (
    Absence,
    CarePerson,
    CareSettings,
    Escalation,
    EscalationStatus,
    Mode,
    Outcome,
    Result,
    Visit,
    VisitStatus,
)
from . import followups
from .escalations import escalation_open

GENERATE_AT = time(6, 0)


def is_due(person: CarePerson, day: date) -> bool:
    """Whether ``person``'s level makes ``day`` a visiting day (counted from
    ``started_on``: daily every day, weekly every 7th day...)."""
    if day < person.started_on:
        return False
    return (day - person.started_on).days % person.interval_days == 0


def visits_generate(day: date, *, compound_ids=None) -> int:
    """Make ``day``'s visits for every active person due that day and not
    away; returns how many were new."""
    people = CarePerson.objects.filter(active=True, started_on__lte=day).select_related("resident")
    if compound_ids is not None:
        people = people.filter(compound_id__in=compound_ids)
    away = set(
        Absence.objects.filter(starts_on__lte=day, ends_on__gte=day).values_list(
            "person_id", flat=True
        )
    )
    have = set(Visit.objects.filter(date=day).values_list("person_id", flat=True))
    cutoffs = dict(CareSettings.objects.values_list("compound_id", "cutoff"))
    rows = []
    for person in people:
        if person.pk in have or person.pk in away or not is_due(person, day):
            continue
        cutoff = cutoffs.get(person.compound_id, time(20, 0))
        rows.append(
            Visit(
                person=person,
                compound_id=person.compound_id,
                building_id=person.resident.building_id,
                date=day,
                due_by=timezone.make_aware(datetime.combine(day, cutoff)),
                caretaker_id=person.primary_id,
            )
        )
    Visit.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def visits_generate_due(*, now: datetime | None = None) -> int:
    """The periodic job's body: from 06:00 local, today's visits exist."""
    local = timezone.localtime(now or timezone.now())
    if local.time() < GENERATE_AT:
        return 0
    return visits_generate(local.date())


def record_outcome(
    *,
    actor,
    visit: Visit,
    outcome: str,
    note: str = "",
    mode: str = Mode.IN_PERSON,
    help_kind: str = "",
    referral_to: str = "",
) -> tuple[Visit, Escalation | None]:
    """Record the one outcome of ``visit``. ``no_answer`` opens the chain at
    step 1; ``needs_help`` opens a follow-up (``help_kind``: repair, service,
    referral with ``referral_to``; see ``followups``) and tells the managers;
    ``well`` on a visit whose chain is open (recorded late) resolves it as safe."""
    if not may_record(actor, visit):
        raise Forbidden
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("请选择探访结果。")
    if mode not in Mode.values:
        errors["mode"] = _("请选择探访方式。")
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = _("备注最多 300 字。")
    if outcome == Outcome.NEEDS_HELP:
        help_kind, referral_to = followups.clean(help_kind, referral_to, errors)
    if errors:
        raise Invalid(errors)
    now = timezone.now()
    if visit.date > timezone.localdate(now):
        raise Conflict(_("还没到这次探访的日期。"))
    esc = None
    with transaction.atomic():
        won = Visit.objects.filter(pk=visit.pk, outcome="").update(
            outcome=outcome,
            note=note,
            mode=mode,
            status=VisitStatus.DONE,
            recorded_at=now,
            recorded_by=actor,
        )
        if not won:
            raise Conflict(_("这次探访已经有人记录过了。"))
        visit.refresh_from_db()
        audit(
            actor=actor,
            action="care.visit.recorded",
            obj=visit,
            compound=visit.compound,
            detail={"outcome": outcome, "mode": mode},
        )
        existing = Escalation.objects.filter(visit=visit, status=EscalationStatus.OPEN).first()
        if outcome == Outcome.NO_ANSWER and existing is None:
            esc = escalation_open(visit=visit, at=now)
        elif outcome in (Outcome.WELL, Outcome.AWAY) and existing is not None:
            Escalation.objects.filter(pk=existing.pk, status=EscalationStatus.OPEN).update(
                status=EscalationStatus.RESOLVED,
                result=Result.SAFE if outcome == Outcome.WELL else Result.OTHER,
                note=note or str(Outcome(outcome).label),
                resolved_at=now,
                resolved_by=actor,
            )
        else:
            esc = existing
        if outcome == Outcome.NEEDS_HELP:
            visit.followup = followups.followup_open(
                actor=actor,
                visit=visit,
                kind=help_kind,
                description=note,
                referral_to=referral_to,
            )
    return visit, esc


def overdue_people(compound_ids, today: date):
    """Active people whose last recorded visit (any outcome but no answer) is
    older than their level allows (or who never had one since joining)."""
    out = []
    people = CarePerson.objects.filter(compound_id__in=compound_ids, active=True)
    last = {}
    for pid, d in (
        Visit.objects.filter(person__in=people, status=VisitStatus.DONE)
        .filter(~Q(outcome=Outcome.NO_ANSWER))
        .order_by("person_id", "date")
        .values_list("person_id", "date")
    ):
        last[pid] = d
    away = set(
        Absence.objects.filter(starts_on__lte=today, ends_on__gte=today).values_list(
            "person_id", flat=True
        )
    )
    for person in people:
        if person.pk in away:
            continue
        seen = last.get(person.pk, person.started_on - timedelta(days=1))
        if (today - seen).days > person.interval_days:
            out.append(person)
    return out
