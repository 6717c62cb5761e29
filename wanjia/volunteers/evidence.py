"""The thanks wall as nominable records (先进典型的事迹来源), registered with
the kernel from ``apps.py``: a thanks shown on the wall (approved by the
compound) names the person thanked and what they did. A staff member of the
compound, or an officer whose region holds it, reads one; anyone else gets
None (the caller answers 404)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.evidence import Record
from wanjia.core.roles import STAFF_SIDE, Role
from wanjia.core.scoping import scope_q

from .models import Thanks, ThanksStatus

READERS = STAFF_SIDE | {Role.REGULATOR}


def _record(t) -> Record:
    return Record(
        kind="volunteers.thanks",
        id=t.pk,
        label=_("感谢%(name)s：%(text)s") % {"name": t.target_name, "text": t.text[:80]},
        url=reverse("volunteers_thanks", args=[t.compound_id]) + "?status=shown",
        compound_id=t.compound_id,
        company_id=t.compound.company_id,
        happened_on=timezone.localdate(t.created_at),
        people=t.target_name,
    )


def _shown():
    return Thanks.objects.filter(status=ThanksStatus.SHOWN).select_related("compound")


def find_thanks(user, pk: int) -> Record | None:
    row = _shown().filter(scope_q(user, roles=READERS, compound="compound_id"), pk=pk).first()
    return _record(row) if row else None


def recent_thanks(compound_ids, since) -> list[Record]:
    rows = _shown().filter(compound_id__in=list(compound_ids), created_at__date__gte=since)
    return [_record(t) for t in rows.order_by("-created_at", "-id")[:100]]
