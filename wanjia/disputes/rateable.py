"""A settled dispute as a rateable subject (好差评), registered with the kernel
from ``apps.py``: a case one of the caller's households is a party to, finished
when it was resolved (化解)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.rateables import Subject, households_of

from .models import CaseParty, Status

SETTLED = (Status.RESOLVED, Status.CLOSED)


def _subject(party) -> Subject:
    case = party.case
    settled = case.status in SETTLED and case.resolved_at is not None
    return Subject(
        kind="dispute",
        id=case.pk,
        label=_("纠纷调解 %(no)s") % {"no": case.number},
        url=reverse("disputes_h5_case", args=[case.pk]),
        compound_id=case.compound_id,
        company_id=case.compound.company_id,
        household_id=party.household_id,
        finished_at=case.resolved_at if settled else None,
    )


def _parties(household_ids):
    return CaseParty.objects.filter(household_id__in=household_ids).select_related("case__compound")


def find_dispute(user, pk: int) -> Subject | None:
    party = _parties(households_of(user)).filter(case_id=pk).order_by("pk").first()
    return _subject(party) if party is not None else None


def recent_disputes(household_ids, since) -> list[Subject]:
    rows = _parties(household_ids).filter(case__status__in=SETTLED, case__resolved_at__gte=since)
    return [_subject(p) for p in rows[:50]]
