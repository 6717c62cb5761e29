"""Today's-work card: the guard's round tonight (or the coming night)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.today import Card, today_provider

from . import access, selectors


@today_provider(order=60)
def patrol_today(user) -> list[Card]:
    if not access.patrols_anywhere(user):
        return []
    mine = selectors.my_round(user)
    nxt = mine["next"]
    now = timezone.localtime()
    if nxt is None:
        detail = _("今晚没有待巡的点。")
    elif nxt.run.starts_at <= now or not 6 <= now.hour < 18:
        detail = _("下一个点：%(point)s，%(at)s 前到") % {
            "point": nxt.checkpoint.name,
            "at": timezone.localtime(nxt.due_at).strftime("%H:%M"),
        }
    else:
        detail = _("今晚 %(at)s 开始：第一个点 %(point)s") % {
            "point": nxt.checkpoint.name,
            "at": timezone.localtime(nxt.run.starts_at).strftime("%H:%M"),
        }
    stops = sum(1 for run in mine["runs"] for s in run.stops.all() if s.checkin_id is None)
    return [
        Card(
            title=_("今晚待巡点"),  # the count is checkpoints still to visit
            count=stops,
            url=reverse("patrol_h5_round"),
            detail=detail,
            status="due" if nxt is not None else "done",
        )
    ]
