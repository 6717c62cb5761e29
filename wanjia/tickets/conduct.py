"""What tickets tell the credit score (``wanjia.core.conduct``): tickets whose
completion target fell in the period and was missed (first completion after
it, or still not done once it passed; withdrawn tickets do not count). A
company's first ``THRESHOLD`` such tickets in a period are tolerated; each
one beyond costs ``POINTS``."""

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from wanjia.core.conduct import Evidence

from .models import Status, Ticket

THRESHOLD = 5
POINTS = 1.0


def sla_missed(company_ids, start, end) -> list[Evidence]:
    now = timezone.now()
    missed = (
        Ticket.objects.filter(
            compound__company_id__in=list(company_ids),
            finish_by__date__gte=start,
            finish_by__date__lte=end,
        )
        .exclude(status=Status.CANCELLED)
        .filter(
            Q(first_done_at__gt=F("finish_by")) | Q(first_done_at__isnull=True, finish_by__lt=now)
        )
        .select_related("compound", "category")
        .order_by("finish_by", "pk")
    )
    seen: dict[int, int] = {}
    found = []
    for t in missed:
        company_id = t.compound.company_id
        seen[company_id] = seen.get(company_id, 0) + 1
        if seen[company_id] <= THRESHOLD:
            continue
        found.append(
            Evidence(
                rule="tickets.sla_missed",
                ref=f"tickets.ticket:{t.pk}",
                company_id=company_id,
                compound_id=t.compound_id,
                points=POINTS,
                label=gettext("%(compound)s 工单 #%(id)s「%(title)s」超过完成时限")
                % {"compound": t.compound.name, "id": t.pk, "title": t.title},
                url=reverse("tickets_ticket", args=[t.pk]),
                happened_on=timezone.localdate(t.finish_by),
            )
        )
    return found
