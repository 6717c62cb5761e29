"""Emergency command's conduct rule for the company credit score (core.conduct)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.conduct import Evidence

from .models import DailyReport

LATE_POINTS = 1.0


def late_reports_evidence(company_ids, start, end) -> list[Evidence]:
    """Each daily emergency report of [start, end] sent after the day's deadline."""
    reports = (
        DailyReport.objects.filter(
            compound__company_id__in=company_ids, day__gte=start, day__lte=end, late=True
        )
        .select_related("compound", "event")
        .order_by("day", "pk")
    )
    out = []
    for r in reports:
        affected = r.event.affected.filter(compound_id=r.compound_id).first()
        out.append(
            Evidence(
                rule="emergency.report_late",
                ref=f"emergency.report:{r.pk}",
                company_id=r.compound.company_id,
                compound_id=r.compound_id,
                points=LATE_POINTS,
                label=_("%(compound)s %(day)s 的应急日报（%(event)s）迟报")
                % {"compound": r.compound.name, "day": f"{r.day:%m-%d}", "event": r.event.title},
                url=reverse("emergency_compound", args=[affected.pk]) if affected else "",
                happened_on=r.day,
            )
        )
    return out
