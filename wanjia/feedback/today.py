"""Today's cards: the loops due for who works them, things to rate and an open
survey for the resident (shown on the H5 home)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.today import Card, today_provider

from . import access, selectors
from .models import Stage


@today_provider(order=70)
def feedback_today(user) -> list[Card]:
    cards = []
    if access.handles_anywhere(user):
        due = list(selectors.loops_due(user).select_related("rating").order_by("call_due"))
        if due:
            now = timezone.now()
            late = sum(
                1
                for lp in due
                if (lp.stage == Stage.CALL and lp.call_due < now) or lp.fix_due < now
            )
            cards.append(
                Card(
                    title=_("差评整改"),
                    count=len(due),
                    url=reverse("feedback_home"),
                    detail=_("待回访 %(call)s · 待整改 %(fix)s · 逾期 %(late)s")
                    % {
                        "call": sum(1 for lp in due if lp.stage == Stage.CALL),
                        "fix": sum(1 for lp in due if lp.stage == Stage.FIX),
                        "late": late,
                    },
                    status="overdue" if late else "due",
                    items=[
                        (lp.rating.label, reverse("feedback_rating", args=[lp.rating_id]))
                        for lp in due[:5]
                    ],
                )
            )
    if access.decides_anywhere(user):
        n = selectors.appeals_pending(user).count()
        if n:
            cards.append(
                Card(
                    title=_("评价申诉待裁定"),
                    count=n,
                    url=reverse("feedback_appeals"),
                    status="due",
                )
            )
    if access.rates_anywhere(user):
        pending = selectors.to_rate(user)
        rerate = [r for r in selectors.my_ratings(user) if _awaits_rerate(r)]
        if pending or rerate:
            cards.append(
                Card(
                    title=_("待评价"),
                    count=len(pending) + len(rerate),
                    url=reverse("feedback_h5"),
                    detail=_("办完的事，请打个分"),
                    status="due",
                    items=[(s.label, reverse("feedback_h5")) for s in pending[:5]],
                )
            )
        surveys = [s for s in selectors.open_surveys(user) if not s.answered]
        if surveys:
            cards.append(
                Card(
                    title=_("满意度调查"),
                    count=len(surveys),
                    url=reverse("feedback_h5_survey", args=[surveys[0].pk]),
                    detail=surveys[0].title,
                    status="due",
                )
            )
    return cards


def _awaits_rerate(rating) -> bool:
    loop = getattr(rating, "loop", None)
    return loop is not None and loop.stage == Stage.RERATE
