"""What the volunteers app adds to other apps' pages and offers them."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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


def _asked(request, compound, source: str, **form) -> dict:
    return {
        **selectors.summary_of_source(source),
        "compound": compound,
        "source": source,
        "post_url": reverse("volunteers_tasks", args=[compound.pk]),
        "next": request.get_full_path(),
        **form,
    }


def patrol_run(request, run):
    """On a patrol round (a night run): volunteers asked to walk it with the
    team, and a form to ask (a manager or staff who may post tasks there);
    the hours confirmed for them show here, where the round is."""
    compound = getattr(run, "compound", None)
    if compound is None or not access.can_post(request.user, compound):
        return None
    starts = timezone.localtime(run.starts_at)
    ends = timezone.localtime(run.ends_at)
    if not starts < ends <= starts + timedelta(hours=12):
        ends = starts + timedelta(hours=2)
    return _asked(
        request,
        compound,
        f"patrol.run:{run.pk}",
        heading=_("巡逻志愿者"),
        testid="vl-patrol-panel",
        none=_("还没有为这一轮巡逻招募志愿者。"),
        kind="patrol",
        title=_("夜间巡逻：%(route)s") % {"route": getattr(run.route, "name", "")},
        place="",
        day=starts.date().isoformat(),
        start=starts.strftime("%H:%M"),
        end=ends.strftime("%H:%M"),
        places=2,
        button=_("招募巡逻志愿者"),
        past=run.starts_at <= timezone.now(),
    )


def care_person(request, person):
    """On a person of the care list: visit helpers asked for them (the task's
    title does not name the person: volunteers see the task list), and a
    form to ask for one; the hours confirmed for them show here."""
    compound = getattr(person, "compound", None)
    if compound is None or not access.can_post(request.user, compound):
        return None
    tomorrow = timezone.localdate() + timedelta(days=1)
    return _asked(
        request,
        compound,
        f"care.person:{person.pk}",
        heading=_("探访志愿者"),
        testid="vl-care-panel",
        none=_("还没有为这位关爱对象招募探访志愿者。"),
        kind="care",
        title=_("关爱探访协助"),
        place="",
        day=tomorrow.isoformat(),
        start="09:00",
        end="11:00",
        places=1,
        button=_("招募探访志愿者"),
        past=False,
    )


def thanks_count(*, kind: str, pk: int) -> int:
    """``volunteers.thanks_count``: shown thanks to a person's record
    (``kind`` staff, party or volunteer)."""
    return selectors.thanks_count(kind, pk)


def hours_of_source(source: str) -> dict:
    """``volunteers.source_summary``: the tasks another module asked for
    (by the ``source`` it gave), places taken and confirmed hours."""
    return selectors.summary_of_source(source)
