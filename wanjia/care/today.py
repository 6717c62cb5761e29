"""Today's-work cards: the caretaker's visits, the manager's open escalations."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.today import Card, today_provider

from . import access, selectors
from .models import EscalationStatus


@today_provider(order=65)
def care_today(user) -> list[Card]:
    cards = []
    if access.visits_anywhere(user):
        mine = selectors.my_visits(user)
        if mine["visits"]:
            left = len(mine["pending"])
            cards.append(
                Card(
                    title=_("今日探访"),
                    count=left,
                    url=reverse("care_h5_today"),
                    detail=_("已记录 %(done)s / %(all)s")
                    % {"done": mine["done"], "all": len(mine["visits"])},
                    status="due" if left else "done",
                )
            )
    if access.views_anywhere(user):
        open_ = selectors.escalations_visible_to(user).filter(status=EscalationStatus.OPEN)
        n = open_.count()
        if n:
            cards.append(
                Card(
                    title=_("关爱升级处置"),
                    count=n,
                    url=reverse("care_home"),
                    detail=_("未确认平安的探访"),
                    status="overdue",
                )
            )
    return cards
