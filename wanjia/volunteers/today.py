"""Today's-work cards: the volunteer's shifts and open tasks; the owner's
hours to confirm; the manager's applications and thanks waiting."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wanjia.core.today import Card, today_provider

from . import access, selectors
from .models import AppStatus, ThanksStatus


@today_provider(order=70)
def volunteers_today(user) -> list[Card]:
    cards = []
    now = timezone.now()
    if access.serves_anywhere(user):
        mine = selectors.my_signups(user, now=now)["current"]
        today = timezone.localdate(now)
        due = [s for s in mine if timezone.localdate(s.task.starts_at) <= today]
        cards.append(
            Card(
                title=_("我的志愿任务"),
                count=len(mine),
                url=reverse("volunteers_h5_mine"),
                detail=ngettext("今天 %(n)s 个班次", "今天 %(n)s 个班次", len(due))
                % {"n": len(due)}
                if due
                else _("已报名的任务"),
                status="due" if due else "",
                items=[
                    (
                        f"{timezone.localtime(s.task.starts_at):%m-%d %H:%M} {s.task.title}",
                        reverse("volunteers_h5_mine"),
                    )
                    for s in mine[:4]
                ],
            )
        )
        compounds = [c for c in selectors.my_compounds(user) if access.can_serve(user, c)]
        rows = list(selectors.open_tasks([c.pk for c in compounds], now=now)[:50])
        mine_ids = {s.task_id for s in mine}
        free = [
            t for t in rows if t.taken < t.places and t.pk not in mine_ids and t.starts_at > now
        ]
        cards.append(
            Card(
                title=_("可报名的志愿任务"),
                count=len(free),
                url=reverse("volunteers_h5_tasks"),
                detail=_("名额有限，先到先得"),
                items=[
                    (
                        f"{timezone.localtime(t.starts_at):%m-%d %H:%M} {t.title}",
                        reverse("volunteers_h5_tasks"),
                    )
                    for t in free[:3]
                ],
            )
        )
    if access.posts_anywhere(user):
        for compound in selectors.compounds_console(user)[:5]:
            manage = access.can_manage(user, compound)
            n = selectors.to_confirm(compound, None if manage else user).count()
            if n:
                cards.append(
                    Card(
                        title=_("待确认志愿时长"),
                        count=n,
                        url=reverse("volunteers_tasks", args=[compound.pk]),
                        detail=compound.name,
                        status="due",
                    )
                )
            if manage:
                pending = selectors.applications(compound, AppStatus.PENDING).count()
                thanks = selectors.thanks_of(compound, ThanksStatus.PENDING).count()
                if pending or thanks:
                    cards.append(
                        Card(
                            title=_("志愿者申请与感谢待审核"),
                            count=pending + thanks,
                            url=reverse("volunteers_people", args=[compound.pk]),
                            detail=_("申请 %(a)s 份 · 感谢 %(t)s 条") % {"a": pending, "t": thanks},
                            status="due",
                        )
                    )
    return cards
