"""Needs-help follow-ups: a "needs help" outcome opens one, with an owner and a
due time, of one of three kinds — a repair, a service booking, a referral
(社区卫生站, 民政…). A repair becomes a ticket when another app offers the
intent ``tickets.open`` (``fn(actor=, compound=, title=, description=,
category=None, unit=None, source=None) -> ticket id``); its id is kept. When
nobody offers it the follow-up is still recorded and owned, and the owner
arranges the repair by hand. Closed with a note; the overdue ones are shown
and their owners told once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import intents
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid, Refusal
from wanjia.core.notify import notify
from wanjia.core.roles import Role

from ..access import can_manage, can_view
from ..models import FollowUp, FollowUpKind, FollowUpStatus, Visit
from .escalations import _members

log = logging.getLogger(__name__)
TICKETS = "tickets.open"
#: how long each kind may stay open: a repair two days, a booking or a referral three
DUE = {
    FollowUpKind.REPAIR: timedelta(hours=48),
    FollowUpKind.SERVICE: timedelta(hours=72),
    FollowUpKind.REFERRAL: timedelta(hours=72),
}


def clean(kind, referral_to, errors: dict) -> tuple[str, str]:
    """The follow-up fields of a "needs help" outcome (field errors added)."""
    kind = kind or FollowUpKind.SERVICE
    if kind not in FollowUpKind.values:
        errors["help_kind"] = _("请选择跟进类型：报修、预约服务或转介。")
    referral_to = (referral_to or "").strip()
    if kind == FollowUpKind.REFERRAL and not referral_to:
        errors["referral_to"] = _("转介请写明转给哪里（如社区卫生站、民政）。")
    elif len(referral_to) > 60:
        errors["referral_to"] = _("最多 60 字。")
    return kind, referral_to


def followup_open(
    *, actor, visit: Visit, kind: str, description: str, referral_to: str = ""
) -> FollowUp:
    """Open the follow-up of a "needs help" visit (inside the recording's
    transaction). Owner: the compound's manager (the recorder when there is
    none); due by the kind's time."""
    now = timezone.now()
    managers = _members(visit.compound_id, Role.COMPOUND_MANAGER)
    owner = managers[0] if managers else actor
    person = visit.person
    name = person.resident.name
    text = (description or "").strip() or str(FollowUpKind(kind).label)
    ticket = None
    if kind == FollowUpKind.REPAIR and intents.offered(TICKETS):
        try:
            with transaction.atomic():
                ticket = intents.ask(
                    TICKETS,
                    actor=actor,
                    compound=visit.compound,
                    title=_("关爱对象报修：%(name)s") % {"name": name},
                    description=text,
                    category="repair",
                    unit=person.resident.household,
                    source="care",
                )
        except Refusal as exc:  # the follow-up stands; the owner opens the ticket by hand
            log.warning("tickets.open refused a care repair: %s", exc)
            ticket = None
    followup = FollowUp.objects.create(
        compound_id=visit.compound_id,
        visit=visit,
        person=person,
        kind=kind,
        referral_to=referral_to,
        description=text[:300],
        owner=owner,
        due_at=now + DUE[kind],
        ticket_id=ticket if isinstance(ticket, int) and not isinstance(ticket, bool) else None,
        created_at=now,
        created_by=actor,
    )
    audit(
        actor=actor,
        action="care.followup.opened",
        obj=followup,
        compound=visit.compound,
        detail={"visit": visit.pk, "kind": kind, "ticket": followup.ticket_id},
    )
    notify(
        recipients=[u for u in [owner, *managers] if u is not None],
        title=lambda: (
            _("关爱对象需要帮助：%(name)s · %(kind)s")
            % {"name": name, "kind": FollowUpKind(kind).label}
        ),
        body=text,
        link=reverse("care_followups", args=[visit.compound_id]),
        kind="care.needs_help",
    )
    return followup


def may_handle(actor, followup: FollowUp) -> bool:
    return followup.owner_id == actor.pk or can_view(actor, followup.compound)


def followup_close(*, actor, followup: FollowUp, note: str) -> FollowUp:
    """Close with a note of what was done; once (409 the second time)."""
    if not may_handle(actor, followup):
        raise Forbidden
    note = (note or "").strip()
    if not note:
        raise Invalid({"note": [_("请写明办结情况。")]})
    if len(note) > 300:
        raise Invalid({"note": [_("说明最多 300 字。")]})
    now = timezone.now()
    with transaction.atomic():
        done = FollowUp.objects.filter(pk=followup.pk, status=FollowUpStatus.OPEN).update(
            status=FollowUpStatus.CLOSED, closed_at=now, closed_by=actor, close_note=note
        )
        if not done:
            raise Conflict(_("这条跟进已经办结了。"))
        audit(
            actor=actor,
            action="care.followup.closed",
            obj=followup,
            compound=followup.compound,
        )
    followup.refresh_from_db()
    return followup


def followup_reassign(*, actor, followup: FollowUp, owner) -> FollowUp:
    """A manager hands the follow-up to another caretaker or manager."""
    if not can_manage(actor, followup.compound):
        raise Forbidden
    from ..access import can_visit

    if owner is None or not (
        can_visit(owner, followup.compound) or can_manage(owner, followup.compound)
    ):
        raise Invalid({"owner": [_("负责人须是本小区的工作人员或经理。")]})
    with transaction.atomic():
        FollowUp.objects.filter(pk=followup.pk).update(owner=owner)
        audit(
            actor=actor,
            action="care.followup.reassigned",
            obj=followup,
            compound=followup.compound,
            detail={"owner": owner.pk},
        )
    followup.refresh_from_db()
    return followup


def followups_notify_overdue(*, now: datetime | None = None) -> int:
    """Tell each overdue follow-up's owner and the managers, once (a
    conditional UPDATE on ``overdue_notified_at``: two sweeps tell once)."""
    now = now or timezone.now()
    told = 0
    late = FollowUp.objects.filter(
        status=FollowUpStatus.OPEN, due_at__lte=now, overdue_notified_at__isnull=True
    ).select_related("person__resident", "owner")
    for f in late:
        with transaction.atomic():
            won = FollowUp.objects.filter(pk=f.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            )
            if not won:
                continue
            managers = _members(f.compound_id, Role.COMPOUND_MANAGER)
            name = f.person.resident.name
            notify(
                recipients=[u for u in [f.owner, *managers] if u is not None],
                title=lambda name=name: _("关爱跟进已逾期：%(name)s") % {"name": name},
                body=f.description,
                link=reverse("care_followups", args=[f.compound_id]),
                kind="care.followup_overdue",
            )
            told += 1
    return told
