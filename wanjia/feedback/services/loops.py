"""The unhappy loop's steps (return call, fix, appeal, the regulator's decision)
and the sweep that marks overdue steps. Each step moves the loop by a
conditional UPDATE on the stage it expects, so two people pressing the same
button do one step; the sweep's own conditional UPDATE tells each overdue
step once however many sweeps run at once."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden
from wanjia.core.notify import notify
from wanjia.core.roles import Role

from .. import access
from ..models import (
    Appeal,
    Loop,
    Rating,
    Stage,
)
from .common import (
    APPEAL_WINDOW,
    RERATE_WINDOW,
    _company_admins,
    _event,
    _household_users,
    _regulators,
    _staff,
    _text,
)


def _step(loop: Loop, expect, **fields) -> bool:
    return Loop.objects.filter(pk=loop.pk, stage__in=expect).update(**fields) == 1


def loop_call(*, actor, loop: Loop, note: str) -> Loop:
    """The return call (回访): what the resident said."""
    if not access.can_handle(actor, loop.compound):
        raise Forbidden
    note = _text(note, "note", required=True)
    now = timezone.now()
    with transaction.atomic():
        if not _step(loop, [Stage.CALL], stage=Stage.FIX, called_at=now, call_note=note):
            raise Conflict(_("已回访过，请刷新。"))
        _event(loop, "called", actor=actor, note=note, at=now)
        audit(actor=actor, action="feedback.loop.called", obj=loop, detail={"note": note})
    loop.refresh_from_db()
    return loop


def loop_fix(*, actor, loop: Loop, note: str) -> Loop:
    """The fix (整改) is done: the resident is asked to rate again."""
    if not access.can_handle(actor, loop.compound):
        raise Forbidden
    note = _text(note, "note", required=True)
    now = timezone.now()
    with transaction.atomic():
        if not _step(loop, [Stage.FIX], stage=Stage.RERATE, fixed_at=now, fix_note=note):
            raise Conflict(_("请先完成回访；已整改的不必重复登记。"))
        _event(loop, "fixed", actor=actor, note=note, at=now)
        audit(actor=actor, action="feedback.loop.fixed", obj=loop, detail={"note": note})
        rating = loop.rating
        label = rating.label
        notify(
            recipients=_household_users(rating.household_id),
            title=lambda: _("您反映的问题已整改：%(label)s") % {"label": label},
            body=lambda: _("请在 7 天内重新评价。"),
            link=reverse("feedback_h5"),
            kind="feedback.rerate",
        )
    loop.refresh_from_db()
    return loop


def loop_appeal(*, actor, loop: Loop, reason: str) -> Loop:
    """The company thinks the rating unjust: the regulator decides."""
    if not access.can_appeal(actor, loop.compound):
        raise Forbidden
    reason = _text(reason, "reason", required=True)
    now = timezone.now()
    if now - loop.opened_at > APPEAL_WINDOW:
        raise Conflict(_("已超过申诉期限（差评后 15 天内）。"))
    with transaction.atomic():
        won = Loop.objects.filter(pk=loop.pk, appeal=Appeal.NONE).update(
            appeal=Appeal.PENDING, appeal_reason=reason, appealed_at=now
        )
        if not won:
            raise Conflict(_("这条评价已经申诉过。"))
        _event(loop, "appealed", actor=actor, note=reason, at=now)
        audit(actor=actor, action="feedback.loop.appealed", obj=loop, detail={"reason": reason})
        label = loop.rating.label
        notify(
            recipients=_regulators(loop.compound),
            title=lambda: _("评价申诉待裁定：%(label)s") % {"label": label},
            body=reason,
            link=reverse("feedback_rating", args=[loop.rating_id]),
            kind="feedback.appeal",
        )
    loop.refresh_from_db()
    return loop


def loop_decide(*, actor, loop: Loop, upheld: bool, note: str) -> Loop:
    """The regulator's decision. Upheld: the rating leaves the index and the
    loop closes; rejected: the loop goes on where it stood."""
    if not access.can_decide(actor, loop.compound):
        raise Forbidden
    note = _text(note, "note", required=True)
    now = timezone.now()
    outcome = Appeal.UPHELD if upheld else Appeal.REJECTED
    with transaction.atomic():
        won = Loop.objects.filter(pk=loop.pk, appeal=Appeal.PENDING).update(
            appeal=outcome, decided_at=now, decision_note=note
        )
        if not won:
            raise Conflict(_("没有待裁定的申诉。"))
        if upheld:
            Rating.objects.filter(pk=loop.rating_id).update(excluded=True)
            Loop.objects.filter(pk=loop.pk).exclude(stage=Stage.CLOSED).update(
                stage=Stage.CLOSED, closed_at=now
            )
        _event(loop, "upheld" if upheld else "rejected", actor=actor, note=note, at=now)
        audit(
            actor=actor,
            action="feedback.loop.decided",
            obj=loop,
            detail={"upheld": upheld, "note": note},
        )
        label = loop.rating.label
        notify(
            recipients=_staff(loop.compound_id, roles=(Role.COMPOUND_MANAGER,))
            + _company_admins(loop.compound.company_id),
            title=lambda: (
                (_("申诉成立：%(label)s") if upheld else _("申诉驳回：%(label)s"))
                % {"label": label}
            ),
            body=note,
            link=reverse("feedback_rating", args=[loop.rating_id]),
            kind="feedback.decided",
        )
    loop.refresh_from_db()
    return loop


def _overdue_title(step: str, label: str):
    if step == "call":
        return lambda: _("差评回访已逾期：%(label)s") % {"label": label}
    return lambda: _("差评整改已逾期：%(label)s") % {"label": label}


def loops_sweep(*, now=None) -> dict:
    """Every few minutes: notify each overdue return call and fix once (a
    conditional UPDATE claims the notice), and close loops whose resident did
    not re-rate within 7 days of the fix."""
    now = now or timezone.now()
    done = {"call": 0, "fix": 0, "closed": 0}
    for step, stages, due, mark in (
        ("call", [Stage.CALL], "call_due", "call_overdue_at"),
        ("fix", [Stage.CALL, Stage.FIX], "fix_due", "fix_overdue_at"),
    ):
        due_rows = Loop.objects.filter(
            stage__in=stages, **{f"{due}__lt": now, f"{mark}__isnull": True}
        ).select_related("rating", "compound")
        for loop in due_rows[:500]:
            with transaction.atomic():
                won = Loop.objects.filter(
                    pk=loop.pk, stage__in=stages, **{f"{mark}__isnull": True}
                ).update(**{mark: now})
                if not won:
                    continue
                done[step] += 1
                _event(loop, f"{step}_overdue", at=now)
                audit(actor=None, action="feedback.loop.overdue", obj=loop, detail={"step": step})
                notify(
                    recipients=_staff(loop.compound_id, roles=(Role.COMPOUND_MANAGER,))
                    + _company_admins(loop.compound.company_id),
                    title=_overdue_title(step, loop.rating.label),
                    link=reverse("feedback_rating", args=[loop.rating_id]),
                    kind="feedback.overdue",
                )
    stale = Loop.objects.filter(stage=Stage.RERATE, fixed_at__lt=now - RERATE_WINDOW)
    for loop in stale[:500]:
        if _step(loop, [Stage.RERATE], stage=Stage.CLOSED, closed_at=now):
            done["closed"] += 1
            _event(loop, "no_rerate", at=now)
    return done
