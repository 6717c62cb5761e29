"""Directives: the authority's orders to an event's compounds, each to be
acknowledged by a deadline. Issuing writes one receipt per compound in the
request (one bulk insert) and leaves the notices to a queued task; opening
the compound's page marks the receipt read; a responder acknowledges it.
Reminders go an hour before the deadline to compounds that have not
acknowledged, once each (``reminded_at`` claimed by a conditional UPDATE);
past the deadline the receipt is overdue on the board."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.jobs import enqueue
from wanjia.core.notify import notify
from wanjia.core.uploads import clean_file

from .. import access
from ..models import Directive, EventCompound, Receipt
from .events import ACTIVE, _staff_of, timeline

REMIND_BEFORE = timedelta(hours=1)
MAX_HOURS = 72


def directive_issue(*, actor, event, title, text, hours, attachment=None) -> Directive:
    if not access.can_command_event(actor, event):
        raise Forbidden
    if event.status not in ACTIVE:
        raise Conflict(gettext("该应急事件已经结束。"))
    errors = {}
    title = (title or "").strip() if isinstance(title, str) else ""
    text = (text or "").strip() if isinstance(text, str) else ""
    if not title:
        errors["title"] = [gettext("请填写标题。")]
    elif len(title) > 100:
        errors["title"] = [gettext("标题不能超过 100 个字。")]
    if not text:
        errors["text"] = [gettext("请填写指令内容。")]
    elif len(text) > 5000:
        errors["text"] = [gettext("指令内容不能超过 5000 个字。")]
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = None
    if hours is None or not 1 <= hours <= MAX_HOURS:
        errors["hours"] = [gettext("确认时限应为 1 到 72 小时。")]
    stored = None
    if attachment:
        try:
            stored = clean_file(attachment, "attachment")
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    now = timezone.now()
    with transaction.atomic():
        directive = Directive.objects.create(
            event=event,
            title=title,
            text=text,
            ack_by=now + timedelta(hours=hours),
            issued_by=actor,
            issued_at=now,
        )
        if stored is not None:
            content, name, ext = stored
            directive.attachment.save(f"directive-{directive.pk}.{ext}", content, save=False)
            directive.attachment_name = name
            directive.save(update_fields=["attachment", "attachment_name"])
        ids = EventCompound.objects.filter(event=event).values_list("compound_id", flat=True)
        Receipt.objects.bulk_create(
            [Receipt(directive=directive, compound_id=pk) for pk in ids], batch_size=1000
        )
        timeline(event, "directive", at=now, title=title)
        audit(actor=actor, action="emergency.directive.issued", obj=directive)
        enqueue("wanjia.emergency.tasks.tell_directive", directive_id=directive.pk)
    return directive


def _tell(receipts, *, title_fn, body_fn, kind) -> int:
    receipts = list(receipts)
    staff = _staff_of([r.compound for r in receipts])
    ecs = dict(
        EventCompound.objects.filter(
            event_id__in={r.directive.event_id for r in receipts},
            compound_id__in=[r.compound_id for r in receipts],
        ).values_list("compound_id", "pk")
    )
    for r in receipts:
        notify(
            recipients=[u for _r, u in staff[r.compound_id]],
            title=lambda d=r.directive: title_fn(d),
            body=lambda d=r.directive: body_fn(d),
            link=reverse("emergency_compound", args=[ecs[r.compound_id]])
            if r.compound_id in ecs
            else "",
            kind=kind,
        )
    return len(receipts)


def directive_tell(directive_id: int) -> int:
    """The queued task: every compound's people told of the directive."""
    receipts = Receipt.objects.filter(directive_id=directive_id).select_related(
        "compound", "directive"
    )
    return _tell(
        receipts,
        title_fn=lambda d: gettext("应急指令：%(title)s") % {"title": d.title},
        body_fn=lambda d: (
            gettext("请在 %(at)s 前确认收到。")
            % {"at": timezone.localtime(d.ack_by).strftime("%m-%d %H:%M")}
        ),
        kind="emergency.directive",
    )


def receipt_read(*, actor, receipt) -> None:
    """The compound's page was opened by one of its responders: read once."""
    if receipt.read_at is None and access.can_respond(actor, receipt.compound):
        Receipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=timezone.now())


def receipt_ack(*, actor, receipt) -> Receipt:
    if not access.can_respond(actor, receipt.compound):
        raise Forbidden
    now = timezone.now()
    with transaction.atomic():
        if not Receipt.objects.filter(pk=receipt.pk, acked_at__isnull=True).update(
            acked_at=now, acked_by=actor
        ):
            raise Conflict(gettext("已经确认过了。"))
        Receipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=now)
        receipt.refresh_from_db()
        timeline(
            receipt.directive.event,
            "acked",
            compound=receipt.compound,
            at=now,
            title=receipt.directive.title,
        )
        audit(
            actor=actor, action="emergency.directive.acked", obj=receipt, compound=receipt.compound
        )
    return receipt


def directives_remind(*, now=None) -> int:
    """An hour before the deadline, remind every compound that has not
    acknowledged, once."""
    now = now or timezone.now()
    due = Receipt.objects.filter(
        acked_at__isnull=True,
        reminded_at__isnull=True,
        directive__ack_by__gt=now,
        directive__ack_by__lte=now + REMIND_BEFORE,
        directive__event__status__in=ACTIVE,
    ).select_related("compound", "directive")
    sent = 0
    for r in due:
        with transaction.atomic():
            if not Receipt.objects.filter(pk=r.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            sent += _tell(
                [r],
                title_fn=lambda d: gettext("请确认应急指令：%(title)s") % {"title": d.title},
                body_fn=lambda d: (
                    gettext("确认截止 %(at)s，还未确认。")
                    % {"at": timezone.localtime(d.ack_by).strftime("%m-%d %H:%M")}
                ),
                kind="emergency.directive_reminder",
            )
    return sent
