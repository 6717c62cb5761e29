"""A care visit as a rateable subject (好差评), registered with the kernel from
``apps.py``: a visit to someone on the care list who lives in one of the
caller's households (the family rates how their elder was looked after),
finished when its outcome was recorded after seeing or hearing the person.
Visits are daily, so only the household's latest such visit is offered."""

from django.utils.translation import gettext as _

from wanjia.core.rateables import Subject, households_of

from .models import Outcome, Visit, VisitStatus

SEEN = (Outcome.WELL, Outcome.NEEDS_HELP)


def _visits(household_ids):
    return Visit.objects.filter(person__resident__household_id__in=household_ids).select_related(
        "compound", "person__resident"
    )


def _subject(visit) -> Subject:
    done = visit.status == VisitStatus.DONE and visit.outcome in SEEN
    return Subject(
        kind="care_visit",
        id=visit.pk,
        label=_("关爱探访 %(name)s %(day)s")
        % {"name": visit.person.resident.name, "day": visit.date.strftime("%m-%d")},
        url="",
        compound_id=visit.compound_id,
        company_id=visit.compound.company_id,
        household_id=visit.person.resident.household_id,
        finished_at=visit.recorded_at if done else None,
    )


def find_visit(user, pk: int) -> Subject | None:
    visit = _visits(households_of(user)).filter(pk=pk).first()
    return _subject(visit) if visit is not None else None


def recent_visits(household_ids, since) -> list[Subject]:
    rows = _visits(household_ids).filter(
        status=VisitStatus.DONE, outcome__in=SEEN, recorded_at__gte=since
    )
    latest = {}
    for visit in rows.order_by("-recorded_at")[:200]:
        latest.setdefault(visit.person.resident.household_id, visit)
    return [_subject(v) for v in latest.values()]
