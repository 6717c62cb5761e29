"""A ticket's flow after it is reported: accepted, assigned, started, done,
rated (an unhappy rating reopens it), the return visit, withdrawn. Each move
is a conditional UPDATE on the statuses it expects, so two people pressing
the same button move it once."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import intents
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid

from ..access import can_manage, can_work, may_act, may_rate
from ..models import (
    Event,
    Status,
    Ticket,
)
from ..rateable import subject_of
from .notices import UNHAPPY, _event, _tell_resident, _tell_staff, managers_of


def _move(ticket, from_statuses, **fields) -> bool:
    return bool(Ticket.objects.filter(pk=ticket.pk, status__in=from_statuses).update(**fields))


def _worker_ok(compound, user) -> bool:
    return user is not None and user.is_active and can_work(user, compound)


def ticket_accept(*, actor, ticket: Ticket, now=None) -> Ticket:
    """Take the ticket on (the response). Staff who accept an unassigned
    ticket take it themselves; a manager's acceptance keeps the automatic
    assignee, or leaves it for assigning by hand."""
    if not may_act(actor, ticket):
        raise Forbidden
    now = now or timezone.now()
    assignee = ticket.assignee
    if assignee is None and not can_manage(actor, ticket.compound):
        assignee = actor
    status = Status.ASSIGNED if assignee else Status.ACCEPTED
    with transaction.atomic():
        if not _move(
            ticket,
            [Status.SUBMITTED],
            status=status,
            accepted_at=now,
            assignee=assignee,
            assigned_at=ticket.assigned_at or (now if assignee else None),
        ):
            raise Conflict(_("这张工单已经受理过了。"))
        _event(ticket, Event.ACCEPTED, now, actor)
        if assignee and ticket.assignee_id is None:
            _event(ticket, Event.ASSIGNED, now, actor, assignee.display_name or assignee.username)
        audit(actor=actor, action="tickets.ticket.accepted", obj=ticket)
        ticket.refresh_from_db()
        _tell_resident(ticket, lambda: _("您的报修已受理：%(t)s") % {"t": ticket.title})
    return ticket


def ticket_assign(*, actor, ticket: Ticket, assignee, now=None) -> Ticket:
    """A manager assigns (or reassigns) by hand; a ticket not yet accepted is
    accepted by it."""
    if not can_manage(actor, ticket.compound):
        raise Forbidden
    if not _worker_ok(ticket.compound, assignee):
        raise Invalid({"assignee": [_("请选择本小区的工作人员。")]})
    if assignee.pk == ticket.assignee_id:
        return ticket  # the same person again: nothing to do (受理 accepts)
    now = now or timezone.now()
    fields = {"assignee": assignee, "assigned_at": now}
    with transaction.atomic():
        if ticket.status == Status.SUBMITTED:
            fields.update(accepted_at=now, status=Status.ASSIGNED)
            moved = _move(ticket, [Status.SUBMITTED], **fields)
            if moved:
                _event(ticket, Event.ACCEPTED, now, actor)
        elif ticket.status == Status.ACCEPTED:
            moved = _move(ticket, [Status.ACCEPTED], status=Status.ASSIGNED, **fields)
        else:
            moved = _move(ticket, [Status.ASSIGNED, Status.IN_PROGRESS], **fields)
        if not moved:
            raise Conflict(_("这张工单当前不能派单。"))
        _event(ticket, Event.ASSIGNED, now, actor, assignee.display_name or assignee.username)
        audit(actor=actor, action="tickets.ticket.assigned", obj=ticket, detail={"to": assignee.pk})
        ticket.refresh_from_db()
        _tell_staff(ticket, [assignee], lambda: _("派给您的报修：%(t)s") % {"t": ticket.title})
    return ticket


def ticket_start(*, actor, ticket: Ticket, now=None) -> Ticket:
    if not may_act(actor, ticket):
        raise Forbidden
    now = now or timezone.now()
    with transaction.atomic():
        if not _move(
            ticket,
            [Status.ACCEPTED, Status.ASSIGNED],
            status=Status.IN_PROGRESS,
            started_at=now,
            assignee=ticket.assignee or actor,
        ):
            raise Conflict(_("这张工单当前不能开始处理。"))
        _event(ticket, Event.STARTED, now, actor)
        audit(actor=actor, action="tickets.ticket.started", obj=ticket)
    ticket.refresh_from_db()
    return ticket


def ticket_done(*, actor, ticket: Ticket, note: str = "", now=None) -> Ticket:
    if not may_act(actor, ticket):
        raise Forbidden
    note = (note or "").strip()
    if len(note) > 300:
        raise Invalid({"note": [_("说明最多 300 字。")]})
    now = now or timezone.now()
    with transaction.atomic():
        if not _move(
            ticket,
            [Status.ASSIGNED, Status.IN_PROGRESS],
            status=Status.DONE,
            done_at=now,
            assignee=ticket.assignee or actor,
            started_at=ticket.started_at or now,
        ):
            raise Conflict(_("这张工单当前不能标记完成。"))
        if ticket.first_done_at is None:
            Ticket.objects.filter(pk=ticket.pk, first_done_at__isnull=True).update(
                first_done_at=now
            )
        _event(ticket, Event.DONE, now, actor, note)
        audit(actor=actor, action="tickets.ticket.done", obj=ticket)
        ticket.refresh_from_db()
        _tell_resident(
            ticket,
            lambda: _("报修已完成：%(t)s") % {"t": ticket.title},
            lambda: _("请为这次维修打分（1–5 星）；不满意我们会回访并限期整改。"),
        )
    return ticket


def ticket_rate(*, actor, ticket: Ticket, score, comment: str = "", now=None) -> Ticket:
    """The household rates a done ticket 1–5. Three or more closes it; two or
    less reopens it for a return visit, which must set a fix deadline."""
    if not may_rate(actor, ticket):
        raise Forbidden
    errors = {}
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        errors["score"] = [_("请打 1 到 5 分。")]
    comment = (comment or "").strip()
    if len(comment) > 300:
        errors["comment"] = [_("评价最多 300 字。")]
    if errors:
        raise Invalid(errors)
    now = now or timezone.now()
    unhappy = score <= UNHAPPY
    fields = {"rating": score, "rating_comment": comment, "rated_at": now}
    if unhappy:
        fields.update(status=Status.RETURN_VISIT, reopen_count=F("reopen_count") + 1)
    else:
        fields.update(status=Status.CLOSED, closed_at=now)
    with transaction.atomic():
        if not _move(ticket, [Status.DONE], **fields):
            raise Conflict(_("只能在完成后、关闭前评价一次。"))
        _event(ticket, Event.RATED, now, actor, f"{score}★ {comment}".strip())
        if unhappy:
            _event(ticket, Event.REOPENED, now, None, _("评价不满意，待回访"))
        else:
            _event(ticket, Event.CLOSED, now, None)
        audit(actor=actor, action="tickets.ticket.rated", obj=ticket, detail={"score": score})
        ticket.refresh_from_db()
        # the one rating of this ticket for 好差评; the reopen above is its loop
        # (why: tickets/rateable.py)
        if ticket.household_id is not None:
            intents.ask(
                "feedback.record_rating",
                actor=actor,
                subject=subject_of(ticket, finished_at=ticket.done_at or now),
                level=score,
                comment=comment,
            )
        if unhappy:
            _tell_staff(
                ticket,
                managers_of(ticket.compound),
                lambda: _("报修差评待回访：%(t)s") % {"t": ticket.title},
                lambda: _("居民打了 %(n)s 分，请回访并限期整改。") % {"n": score},
            )
    return ticket


def ticket_visit(
    *, actor, ticket: Ticket, note: str, fix_by: datetime | None = None, now=None
) -> Ticket:
    """The return visit (回访). After an unhappy rating it must set a fix
    deadline and sends the work back to the assignee; on a done ticket it
    closes it (or, with a fix deadline, reopens it)."""
    if not can_manage(actor, ticket.compound):
        raise Forbidden
    now = now or timezone.now()
    note = (note or "").strip()
    errors = {}
    if not note:
        errors["note"] = [_("请记录回访情况。")]
    elif len(note) > 300:
        errors["note"] = [_("回访记录最多 300 字。")]
    if ticket.status == Status.RETURN_VISIT and fix_by is None:
        errors["fix_by"] = [_("居民不满意，请定下整改期限。")]
    if fix_by is not None and not now < fix_by <= now + timedelta(days=60):
        errors["fix_by"] = [_("整改期限应在现在之后的 60 天内。")]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if fix_by is not None:
            fields = {
                "status": Status.ASSIGNED if ticket.assignee_id else Status.ACCEPTED,
                "fix_by": fix_by,
                "visited_at": now,
                "visit_note": note,
                "done_at": None,
                "finish_warned_at": None,
                "finish_escalated_at": None,
            }
            if ticket.status == Status.DONE:
                fields["reopen_count"] = F("reopen_count") + 1
            moved = _move(ticket, [Status.RETURN_VISIT, Status.DONE], **fields)
        else:
            moved = _move(
                ticket,
                [Status.DONE],
                status=Status.CLOSED,
                visited_at=now,
                visit_note=note,
                closed_at=now,
            )
        if not moved:
            raise Conflict(_("这张工单当前不需要回访。"))
        _event(ticket, Event.VISITED, now, actor, note)
        if fix_by is not None:
            due = timezone.localtime(fix_by).strftime("%m-%d %H:%M")
            _event(ticket, Event.REOPENED, now, actor, _("限 %(at)s 前整改") % {"at": due})
        else:
            _event(ticket, Event.CLOSED, now, actor)
        audit(
            actor=actor,
            action="tickets.ticket.visited",
            obj=ticket,
            detail={"fix_by": fix_by.isoformat() if fix_by else None},
        )
        ticket.refresh_from_db()
        if fix_by is not None:
            if ticket.assignee:
                _tell_staff(
                    ticket,
                    [ticket.assignee],
                    lambda: _("回访后需整改：%(t)s") % {"t": ticket.title},
                    lambda: _("请在 %(at)s 前整改完成。") % {"at": due},
                )
            _tell_resident(
                ticket,
                lambda: _("已回访，将限期整改：%(t)s") % {"t": ticket.title},
                lambda: _("整改期限：%(at)s") % {"at": due},
            )
    return ticket


def ticket_cancel(*, actor, ticket: Ticket, now=None) -> Ticket:
    """The reporter withdraws a ticket nobody has accepted yet."""
    if ticket.reported_by_id != actor.pk and not may_rate(actor, ticket):
        raise Forbidden
    now = now or timezone.now()
    with transaction.atomic():
        if not _move(ticket, [Status.SUBMITTED], status=Status.CANCELLED, closed_at=now):
            raise Conflict(_("已受理的工单不能撤回，请联系物业。"))
        _event(ticket, Event.CANCELLED, now, actor)
        audit(actor=actor, action="tickets.ticket.cancelled", obj=ticket)
    ticket.refresh_from_db()
    return ticket
