"""What emergency command tells the credit score (``wanjia.core.conduct``): a
daily report an affected compound did not send by the day's deadline costs
its company points (2 per missing report, 1 per late one)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from wanjia.core.conduct import Evidence

from .models import DailyReport, EventCompound
from .services.reports import deadline

MISSED_POINTS = 2.0
LATE_POINTS = 1.0


def reports_missed(company_ids, start, end) -> list[Evidence]:
    now = timezone.now()
    found = []
    affected = (
        EventCompound.objects.filter(compound__company_id__in=list(company_ids))
        .filter(event__starts_at__date__lte=end)
        .exclude(event__ends_at__date__lt=start)
        .select_related("event", "compound")
    )
    for ec in affected:
        event = ec.event
        first = max(start, timezone.localdate(event.starts_at))
        last = min(end, timezone.localdate(event.ends_at) if event.ends_at else end)
        reports = {
            r.day: r
            for r in DailyReport.objects.filter(
                event=event, compound=ec.compound, day__gte=first, day__lte=last
            )
        }
        day = first
        while day <= last:
            if now >= deadline(event, day):
                report = reports.get(day)
                if report is None or report.late:
                    missing = report is None
                    found.append(
                        Evidence(
                            rule="emergency.report_missed",
                            ref=f"emergency.report:{ec.pk}:{day.isoformat()}",
                            company_id=ec.compound.company_id,
                            compound_id=ec.compound_id,
                            points=MISSED_POINTS if missing else LATE_POINTS,
                            label=(
                                gettext("%(compound)s %(day)s 应急日报未报（%(event)s）")
                                if missing
                                else gettext("%(compound)s %(day)s 应急日报迟报（%(event)s）")
                            )
                            % {
                                "compound": ec.compound.name,
                                "day": day.isoformat(),
                                "event": event.title,
                            },
                            url=reverse("emergency_compound", args=[ec.pk]),
                            happened_on=day,
                        )
                    )
            day += timedelta(days=1)
    return found
