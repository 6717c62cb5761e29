"""Today's-work cards: the caretaker's visits, the manager's open escalations."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.today import Card, today_provider

from . import access, selectors, selectors_duty
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
                    % {"done": mine["done"], "all": len(mine["visits"])}
                    + (
                        _("，%(n)s 户逾期已转升级") % {"n": mine["missed"]}
                        if mine["missed"]
                        else ""
                    ),
                    status="overdue" if mine["missed"] else "due" if left else "done",
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
    cards += _duty_cards(user)
    return cards


def _duty_cards(user) -> list[Card]:
    """Who is on duty now and next in the user's compounds (managers and
    caretakers), unacknowledged handovers, and overdue follow-ups."""
    cards = []
    viewer = access.views_anywhere(user)
    if not (viewer or access.visits_anywhere(user)):
        return cards
    action = "care.view" if viewer else "care.visit"
    compounds = list(selectors.compounds_for(user, action)[:3])
    for compound in compounds:
        board = selectors_duty.board(compound)
        if not (board["current"] or board["next"] or board["unacknowledged"]):
            continue
        now = ", ".join(p["name"] for p in board["current"]) or _("无人")
        nxt = ", ".join(p["name"] for p in board["next"]) or "—"
        at = board["next_at"]
        pending = len(board["unacknowledged"])
        cards.append(
            Card(
                title=_("今日值班 · %(c)s") % {"c": compound.name},
                count=pending or None,
                url=reverse("care_duty_board", args=[compound.pk])
                if viewer
                else reverse("care_h5_duty"),
                detail=_("当班：%(now)s · 下一班：%(next)s %(at)s")
                % {
                    "now": now,
                    "next": nxt,
                    "at": timezone.localtime(at).strftime("%H:%M") if at else "",
                },
                status="overdue" if not board["current"] else ("due" if pending else "done"),
                items=[
                    (
                        _("待确认交班：%(who)s") % {"who": h.author.name},
                        reverse("care_duty_board", args=[compound.pk])
                        if viewer
                        else reverse("care_h5_duty"),
                    )
                    for h in board["unacknowledged"][:3]
                ],
            )
        )
    if viewer:
        ids = [c.pk for c in selectors.compounds_for(user)]
        late = selectors_duty.overdue_followups(ids).count()
        if late:
            first = selectors_duty.overdue_followups(ids).first()
            cards.append(
                Card(
                    title=_("帮扶跟进逾期"),
                    count=late,
                    url=reverse("care_followups", args=[first.compound_id]),
                    detail=_("需要帮助的关爱对象，跟进已过期限"),
                    status="overdue",
                )
            )
    return cards
