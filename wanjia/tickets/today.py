"""Today's-work cards: staff and managers see the tickets due today and
overdue; a resident (on the H5 home) their open tickets."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.today import Card, today_provider

from . import access, selectors


@today_provider(order=45)
def tickets_today(user) -> list[Card]:
    cards = []
    if access.works_anywhere(user):
        n = selectors.work_counts(user)
        if n["open"]:
            cards.append(
                Card(
                    title=_("报修工单"),
                    count=n["due"],
                    url=reverse("tickets_home"),
                    detail=_("今天到期 %(due)s 张，已超时 %(late)s 张，待办共 %(all)s 张")
                    % {"due": n["due"], "late": n["overdue"], "all": n["open"]},
                    status="overdue" if n["overdue"] else ("due" if n["due"] else "done"),
                )
            )
    if access.has_household(user):
        n = selectors.my_open_count(user)
        if n:
            cards.append(
                Card(
                    title=_("我的报修"),
                    count=n,
                    url=reverse("tickets_h5_list"),
                    detail=_("处理中的报修"),
                    status="due",
                )
            )
    return cards
