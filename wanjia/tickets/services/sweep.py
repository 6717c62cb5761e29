"""The periodic sweep: a warning before a target is missed, an escalation to
the manager when it is, and the closing of done tickets nobody rated within
seven days. Each fires once per ticket: the sweep claims a row with a
conditional UPDATE on its stamp still being empty (``respond_warned_at IS
NULL`` …), and only the claimer sends the notice, however many sweeps run."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit

from ..models import OPEN, Event, Status, Ticket
from ..sla import WARN_CAP, warn_at
from .notices import AUTO_CLOSE_AFTER, _event, _tell_staff, managers_of, workers_of


def _hm(moment) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _claim(ticket, stamp: str, now, **where) -> bool:
    return bool(
        Ticket.objects.filter(pk=ticket.pk, **{f"{stamp}__isnull": True}, **where).update(
            **{stamp: now}
        )
    )


def _warn_people(ticket) -> list:
    return [ticket.assignee] if ticket.assignee else workers_of(ticket.compound)


def _respond(now: datetime) -> tuple[int, int]:
    warned = escalated = 0
    rows = Ticket.objects.filter(
        status=Status.SUBMITTED, respond_by__lte=now + WARN_CAP
    ).select_related("compound", "assignee")
    for t in rows.filter(Q(respond_warned_at__isnull=True) | Q(respond_escalated_at__isnull=True)):
        if t.respond_by <= now and t.respond_escalated_at is None:
            with transaction.atomic():
                if _claim(t, "respond_escalated_at", now, status=Status.SUBMITTED):
                    Ticket.objects.filter(pk=t.pk, respond_warned_at__isnull=True).update(
                        respond_warned_at=now
                    )
                    _event(t, Event.ESCALATED, now, None, _("超过响应时限未受理"))
                    _tell_staff(
                        t,
                        managers_of(t.compound),
                        lambda t=t: _("报修超时未受理：%(t)s") % {"t": t.title},
                        lambda t=t: _("响应时限 %(at)s 已过，请督办。") % {"at": _hm(t.respond_by)},
                    )
                    audit(
                        actor=None,
                        action="tickets.ticket.escalated",
                        obj=t,
                        detail={"on": "respond"},
                    )
                    escalated += 1
        elif (
            t.respond_warned_at is None
            and t.respond_by > now
            and warn_at(t.created_at, t.respond_by) <= now
        ):
            with transaction.atomic():
                if _claim(t, "respond_warned_at", now, status=Status.SUBMITTED):
                    _event(t, Event.WARNED, now, None, _("即将超过响应时限"))
                    _tell_staff(
                        t,
                        _warn_people(t),
                        lambda t=t: _("报修即将超时未受理：%(t)s") % {"t": t.title},
                        lambda t=t: _("请在 %(at)s 前受理。") % {"at": _hm(t.respond_by)},
                    )
                    warned += 1
    return warned, escalated


def _finish(now: datetime) -> tuple[int, int]:
    warned = escalated = 0
    soon = now + WARN_CAP
    rows = (
        Ticket.objects.filter(status__in=OPEN)
        .filter(Q(fix_by__isnull=True, finish_by__lte=soon) | Q(fix_by__lte=soon))
        .filter(Q(finish_warned_at__isnull=True) | Q(finish_escalated_at__isnull=True))
        .select_related("compound", "assignee")
    )
    for t in rows:
        due = t.due_by
        start = t.visited_at if t.fix_by else t.created_at
        if due <= now and t.finish_escalated_at is None:
            with transaction.atomic():
                if _claim(t, "finish_escalated_at", now, status__in=OPEN):
                    Ticket.objects.filter(pk=t.pk, finish_warned_at__isnull=True).update(
                        finish_warned_at=now
                    )
                    _event(t, Event.ESCALATED, now, None, _("超过完成时限未完成"))
                    _tell_staff(
                        t,
                        managers_of(t.compound),
                        lambda t=t, due=due: _("报修超时未完成：%(t)s") % {"t": t.title},
                        lambda t=t, due=due: _("完成时限 %(at)s 已过，请督办。") % {"at": _hm(due)},
                    )
                    audit(
                        actor=None,
                        action="tickets.ticket.escalated",
                        obj=t,
                        detail={"on": "finish"},
                    )
                    escalated += 1
        elif (
            t.finish_warned_at is None and due > now and warn_at(start or t.created_at, due) <= now
        ):
            with transaction.atomic():
                if _claim(t, "finish_warned_at", now, status__in=OPEN):
                    _event(t, Event.WARNED, now, None, _("即将超过完成时限"))
                    _tell_staff(
                        t,
                        _warn_people(t),
                        lambda t=t: _("报修即将超过完成时限：%(t)s") % {"t": t.title},
                        lambda t=t, due=due: _("请在 %(at)s 前完成。") % {"at": _hm(due)},
                    )
                    warned += 1
    return warned, escalated


def _auto_close(now: datetime) -> int:
    closed = 0
    rows = Ticket.objects.filter(
        status=Status.DONE, rating__isnull=True, done_at__lte=now - AUTO_CLOSE_AFTER
    )
    for t in rows:
        with transaction.atomic():
            won = Ticket.objects.filter(pk=t.pk, status=Status.DONE, rating__isnull=True).update(
                status=Status.CLOSED, closed_at=now
            )
            if won:
                _event(t, Event.CLOSED, now, None, _("完成 7 天未评价，自动关闭"))
                audit(actor=None, action="tickets.ticket.closed", obj=t, detail={"auto": True})
                closed += 1
    return closed


def tickets_sweep(*, now: datetime | None = None) -> dict:
    """Run every minute (``tasks.sweep``); returns counts of what it fired."""
    now = now or timezone.now()
    rw, re_ = _respond(now)
    fw, fe = _finish(now)
    return {
        "respond_warned": rw,
        "respond_escalated": re_,
        "finish_warned": fw,
        "finish_escalated": fe,
        "closed": _auto_close(now),
    }
