"""Tickets' conduct rule for the company credit score (core.conduct)."""

import math
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.conduct import Evidence

from .models import Ticket

# The missed completion deadlines a company may have in a scoring window before
# each further one costs points: 5% of its tickets due in the window (at least
# SLA_FREE), so a large company is held to the same rate as a small one.
SLA_FREE = 5
SLA_FREE_SHARE = 0.05
SLA_POINTS = 0.5


def sla_missed_evidence(company_ids, start, end) -> list[Evidence]:
    """Tickets whose completion deadline fell in [start, end] and was missed
    (done late, or still undone after it); per company the first
    max(SLA_FREE, SLA_FREE_SHARE × its tickets due) cost nothing, each further
    one ``SLA_POINTS``."""
    tz = timezone.get_current_timezone()
    lo = datetime.combine(start, time.min, tz)
    hi = min(datetime.combine(end + timedelta(days=1), time.min, tz), timezone.now())
    due = Ticket.objects.filter(
        compound__company_id__in=company_ids, finish_by__gte=lo, finish_by__lt=hi
    ).exclude(status="cancelled")
    allowance = {
        row["compound__company_id"]: max(SLA_FREE, math.ceil(SLA_FREE_SHARE * row["n"]))
        for row in due.values("compound__company_id").annotate(n=Count("id")).order_by()
    }
    missed = (
        due.filter(Q(first_done_at__gt=F("finish_by")) | Q(first_done_at__isnull=True))
        .select_related("compound")
        .order_by("finish_by", "pk")
    )
    seen: dict[int, int] = {}
    out = []
    for t in missed:
        company = t.compound.company_id
        seen[company] = seen.get(company, 0) + 1
        if seen[company] <= allowance.get(company, SLA_FREE):
            continue
        out.append(
            Evidence(
                rule="tickets.sla_missed",
                ref=f"tickets.ticket:{t.pk}",
                company_id=company,
                compound_id=t.compound_id,
                points=SLA_POINTS,
                label=_("工单 #%(pk)s“%(title)s”超过完成时限（%(due)s）")
                % {
                    "pk": t.pk,
                    "title": t.title,
                    "due": f"{timezone.localtime(t.finish_by):%m-%d %H:%M}",
                },
                url=reverse("tickets_ticket", args=[t.pk]),
                happened_on=timezone.localtime(t.finish_by).date(),
            )
        )
    return out
