"""Emergency work as nominable records (先进典型的事迹来源), registered with
the kernel from ``apps.py``: a nomination made after an event (a person or
team, with its citation), and an accepted after-action report (the compound's
work as a whole). A staff member of the compound, or an officer whose region
holds it, reads them; anyone else gets None (the caller answers 404)."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.evidence import Record
from wanjia.core.roles import STAFF_SIDE, Role
from wanjia.core.scoping import scope_q

from .models import AfterAction, AfterStatus, EventCompound, Nomination

READERS = STAFF_SIDE | {Role.REGULATOR}


def _day(event):
    return timezone.localdate(event.ends_at or event.starts_at)


def _page(event_id, compound_id) -> str:
    ec = EventCompound.objects.filter(event_id=event_id, compound_id=compound_id).first()
    return reverse("emergency_after", args=[ec.pk]) if ec else ""


def _nomination(n) -> Record:
    return Record(
        kind="emergency.nomination",
        id=n.pk,
        label=_("%(event)s：推荐%(nominee)s——%(citation)s")
        % {"event": n.event.title, "nominee": n.nominee, "citation": n.citation[:60]},
        url=_page(n.event_id, n.compound_id),
        compound_id=n.compound_id,
        company_id=n.compound.company_id,
        happened_on=_day(n.event),
        people=n.nominee,
    )


def _nominations():
    return Nomination.objects.select_related("event", "compound")


def find_nomination(user, pk: int) -> Record | None:
    row = _nominations().filter(scope_q(user, roles=READERS, compound="compound_id"), pk=pk).first()
    return _nomination(row) if row else None


def recent_nominations(compound_ids, since) -> list[Record]:
    rows = _nominations().filter(
        compound_id__in=list(compound_ids), event__ends_at__date__gte=since
    )
    return [_nomination(n) for n in rows.order_by("-event__ends_at", "-id")[:100]]


def _report(r) -> Record:
    return Record(
        kind="emergency.after_action",
        id=r.pk,
        label=_("%(event)s：%(compound)s复盘报告")
        % {"event": r.event.title, "compound": r.compound.name},
        url=_page(r.event_id, r.compound_id),
        compound_id=r.compound_id,
        company_id=r.compound.company_id,
        happened_on=_day(r.event),
        people=r.compound.name,
    )


def _reports():
    return AfterAction.objects.filter(status=AfterStatus.ACCEPTED).select_related(
        "event", "compound"
    )


def find_report(user, pk: int) -> Record | None:
    row = _reports().filter(scope_q(user, roles=READERS, compound="compound_id"), pk=pk).first()
    return _report(row) if row else None


def recent_reports(compound_ids, since) -> list[Record]:
    rows = _reports().filter(Q(compound_id__in=list(compound_ids)), event__ends_at__date__gte=since)
    return [_report(r) for r in rows.order_by("-event__ends_at", "-id")[:100]]
