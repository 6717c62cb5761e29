"""Today's cards: a compound's staff see the open events and whether today's
report is in; the regulator sees the events it commands and the reports
missing after the deadline."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.today import Card, today_provider

from . import access, selectors
from .services.reports import deadline


@today_provider(order=5)
def emergency_today(user) -> list[Card]:
    if not access.anywhere(user):
        return []
    cards = []
    now = timezone.now()
    day = timezone.localdate(now)
    if access.responds_anywhere(user):
        rows = list(selectors.active_affected(user)[:20])
        if rows:
            reported = {
                (r.event_id, r.compound_id)
                for r in selectors.DailyReport.objects.filter(
                    day=day, event_id__in={ec.event_id for ec in rows}
                )
            }
            missing = [ec for ec in rows if (ec.event_id, ec.compound_id) not in reported]
            late = any(now > deadline(ec.event, day) for ec in missing)
            cards.append(
                Card(
                    title=_("应急响应"),
                    count=len(missing),
                    url=reverse("emergency_home"),
                    detail=_("今日日报未报的小区") if missing else _("今日日报已全部报送"),
                    status="overdue" if late else ("due" if missing else "done"),
                    items=[
                        (
                            f"{ec.compound.name} · {ec.event.title}",
                            reverse("emergency_compound", args=[ec.pk]),
                        )
                        for ec in rows[:5]
                    ],
                )
            )
    if access.commands_anywhere(user):
        events = list(selectors.events_visible(user, status="open")[:5])
        if events:
            cards.append(
                Card(
                    title=_("应急指挥"),
                    count=len(events),
                    url=reverse("emergency_home"),
                    detail=_("进行中的应急事件"),
                    status="due",
                    items=[(e.title, reverse("emergency_board", args=[e.pk])) for e in events],
                )
            )
    return cards
