"""What satisfaction tells the credit score (``wanjia.core.conduct``):

- a substantiated complaint: an unhappy rating the company appealed and the
  authority found stands (appeal rejected), 2 points, in the month decided;
- an unhappy-rating loop not closed: the fix was due in the month and was not
  done by then (an upheld appeal takes the rating out), 1 point."""

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from wanjia.core.conduct import Evidence

from .models import Appeal, Loop

COMPLAINT_POINTS = 2.0
LOOP_POINTS = 1.0


def complaints_substantiated(company_ids, start, end) -> list[Evidence]:
    loops = (
        Loop.objects.filter(
            rating__company_id__in=list(company_ids),
            appeal=Appeal.REJECTED,
            decided_at__date__gte=start,
            decided_at__date__lte=end,
        )
        .select_related("rating", "compound")
        .order_by("decided_at", "pk")
    )
    return [
        Evidence(
            rule="feedback.complaint_substantiated",
            ref=f"feedback.rating:{loop.rating_id}",
            company_id=loop.rating.company_id,
            compound_id=loop.compound_id,
            points=COMPLAINT_POINTS,
            label=gettext("%(compound)s 差评「%(label)s」申诉被驳回，投诉成立")
            % {"compound": loop.compound.name, "label": loop.rating.label},
            url=reverse("feedback_rating", args=[loop.rating_id]),
            happened_on=timezone.localdate(loop.decided_at),
        )
        for loop in loops
    ]


def loops_unclosed(company_ids, start, end) -> list[Evidence]:
    now = timezone.now()
    loops = (
        Loop.objects.filter(
            rating__company_id__in=list(company_ids),
            fix_due__date__gte=start,
            fix_due__date__lte=end,
        )
        .exclude(appeal=Appeal.UPHELD)
        .filter(Q(fixed_at__gt=F("fix_due")) | Q(fixed_at__isnull=True, fix_due__lt=now))
        .select_related("rating", "compound")
        .order_by("fix_due", "pk")
    )
    return [
        Evidence(
            rule="feedback.loop_unclosed",
            ref=f"feedback.loop:{loop.pk}",
            company_id=loop.rating.company_id,
            compound_id=loop.compound_id,
            points=LOOP_POINTS,
            label=gettext("%(compound)s 差评「%(label)s」未在期限内整改")
            % {"compound": loop.compound.name, "label": loop.rating.label},
            url=reverse("feedback_rating", args=[loop.rating_id]),
            happened_on=timezone.localdate(loop.fix_due),
        )
        for loop in loops
    ]
