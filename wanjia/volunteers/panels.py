"""What the volunteers app adds to other apps' pages and offers them."""

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone

from . import access, selectors

SORTING_FROM, SORTING_TO = time(5, 0), time(8, 0)


def market_window(request, window):
    """On a market's order window: the sorting shifts asked for it, and a
    form to ask for more (a manager or staff who may post tasks in the
    market's compound)."""
    market = getattr(window, "market", None)
    compound = getattr(market, "compound", None)
    if compound is None or not access.can_post(request.user, compound):
        return None
    source = f"market.window:{window.pk}"
    summary = selectors.summary_of_source(source)
    day = window.delivery_date
    return {
        **summary,
        "compound": compound,
        "source": source,
        "window": window,
        "day": day.isoformat(),
        "start": SORTING_FROM.strftime("%H:%M"),
        "end": SORTING_TO.strftime("%H:%M"),
        "past": timezone.make_aware(datetime.combine(day, SORTING_FROM)) <= timezone.now(),
        "post_url": reverse("volunteers_tasks", args=[compound.pk]),
        "next": request.get_full_path(),
    }


def thanks_count(*, kind: str, pk: int) -> int:
    """``volunteers.thanks_count``: shown thanks to a person's record
    (``kind`` staff, party or volunteer)."""
    return selectors.thanks_count(kind, pk)


def hours_of_source(source: str) -> dict:
    """``volunteers.source_summary``: the tasks another module asked for
    (by the ``source`` it gave), places taken and confirmed hours."""
    return selectors.summary_of_source(source)
