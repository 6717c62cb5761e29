"""Satisfaction's conduct rule for the company credit score (core.conduct)."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.conduct import Evidence

from .models import Appeal, Loop

LOOP_POINTS = 2.0


def loops_not_closed_evidence(company_ids, start, end) -> list[Evidence]:
    """Unhappy ratings whose loop was still open past its fix deadline at the
    end of [start, end] (a loop whose appeal the authority upheld is not the
    company's fault and does not count)."""
    tz = timezone.get_current_timezone()
    lo = datetime.combine(start, time.min, tz)
    hi = min(datetime.combine(end + timedelta(days=1), time.min, tz), timezone.now())
    loops = (
        Loop.objects.filter(rating__company_id__in=company_ids, fix_due__gte=lo, fix_due__lt=hi)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=hi))
        .exclude(appeal=Appeal.UPHELD)
        .select_related("rating")
        .order_by("fix_due", "pk")
    )
    return [
        Evidence(
            rule="feedback.loop_open",
            ref=f"feedback.rating:{loop.rating_id}",
            company_id=loop.rating.company_id,
            compound_id=loop.compound_id,
            points=LOOP_POINTS,
            label=_("差评“%(label)s”逾期未闭环（整改期限 %(due)s）")
            % {"label": loop.rating.label, "due": f"{timezone.localtime(loop.fix_due):%m-%d}"},
            url=reverse("feedback_rating", args=[loop.rating_id]),
            happened_on=timezone.localtime(loop.fix_due).date(),
        )
        for loop in loops
    ]
