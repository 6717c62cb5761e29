"""A dispute mediated where it arose (不出楼栋、不出小区) as a nominable record
(先进典型的事迹来源), registered with the kernel from ``apps.py``: a case
resolved at building or compound level, naming its mediator. A staff member
of the compound, or an officer whose region holds it, reads one; anyone else
gets None (the caller answers 404). The label names the case by its number
and category, never the parties."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.evidence import Record
from wanjia.core.roles import STAFF_SIDE, Role
from wanjia.core.scoping import scope_q

from .models import Case, Level, Status

READERS = STAFF_SIDE | {Role.REGULATOR}
LOCAL = (Level.BUILDING, Level.COMPOUND)


def _record(case) -> Record:
    mediator = case.mediator
    return Record(
        kind="disputes.mediation",
        id=case.pk,
        label=_("%(level)s化解%(category)s纠纷 %(no)s")
        % {
            "level": case.get_resolved_level_display(),
            "category": case.get_category_display(),
            "no": case.number,
        },
        url=reverse("disputes_case", args=[case.pk]),
        compound_id=case.compound_id,
        company_id=case.compound.company_id,
        happened_on=timezone.localdate(case.resolved_at),
        people=(mediator.display_name or mediator.username) if mediator else "",
    )


def _mediated():
    return Case.objects.filter(
        status__in=(Status.RESOLVED, Status.CLOSED),
        resolved_level__in=LOCAL,
        resolved_at__isnull=False,
    ).select_related("compound", "mediator")


def find_mediation(user, pk: int) -> Record | None:
    row = _mediated().filter(scope_q(user, roles=READERS, compound="compound_id"), pk=pk).first()
    return _record(row) if row else None


def recent_mediations(compound_ids, since) -> list[Record]:
    rows = _mediated().filter(compound_id__in=list(compound_ids), resolved_at__date__gte=since)
    return [_record(c) for c in rows.order_by("-resolved_at", "-id")[:100]]
