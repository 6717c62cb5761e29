"""The "rate this" panel on a resident's own page of a finished service (a
bag's order page, a settled dispute): registered for each rateable kind that
names its page slot (``core.rateables``), so the pages import nothing."""

from django.urls import reverse
from django.utils import timezone

from wanjia.core import rateables

from .models import Rating
from .services import WINDOW


def rate_panel(kind: str, request, obj) -> dict | None:
    """The household's rating of ``obj`` when given; else an offer to rate it
    while the window is open; nothing for a service not finished, out of the
    window, or not the caller's household's."""
    rateable = rateables.kind(kind)
    user = getattr(request, "user", None)
    if rateable is None or user is None or not user.is_authenticated:
        return None
    subject = rateable.find(user, obj.pk)
    if subject is None or not subject.finished:
        return None
    rating = Rating.objects.filter(
        kind=kind, subject_id=subject.id, household_id=subject.household_id
    ).first()
    if rating is not None:
        return {"rating": rating, "mine": reverse("feedback_h5")}
    if timezone.now() - subject.finished_at > WINDOW:
        return None
    return {
        "subject": subject,
        "rate_url": reverse("feedback_h5_rate", args=[kind, subject.id]),
        "until": subject.finished_at + WINDOW,
    }
