"""The escalation chain: a door that did not open (or a visit nobody recorded
by the cut-off) opens a chain; each step has an owner and a due time, and when
the due time passes unresolved the next step fires — once, through a
conditional UPDATE on the current step, however many sweeps run at once.

Steps and their start (minutes after the chain opened, per compound, see
``CareSettings``): 1 retry (0), 2 emergency contacts (60), 3 the manager
(120), 4 the community (360), 5 a door opened with the police (480). It stops
the moment someone resolves it (the person safe, in hospital, other)."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Membership, ScopeType
from wanjia.core.notify import notify
from wanjia.core.roles import Role

from ..access import can_view, may_record
from ..models import (
    CareSettings,
    Escalation,
    EscalationStatus,
    Result,
    Step,
    Visit,
    VisitStatus,
)

POLICE_WINDOW = timedelta(minutes=60)  # the last step's own due time


def settings_for(compound_id: int) -> CareSettings:
    found = CareSettings.objects.filter(compound_id=compound_id).first()
    return found or CareSettings(compound_id=compound_id)


def _members(compound_id: int, role: str) -> list:
    rows = Membership.objects.filter(
        role=role,
        scope_type=ScopeType.COMPOUND,
        compound_id=compound_id,
        user__is_active=True,
    ).select_related("user")
    return [m.user for m in rows.order_by("id")]


def step_owner(step: int, visit: Visit):
    """Who holds ``step``: the caretaker for the retry and the contacts, the
    compound's manager, the party secretary for the community (社区) step
    (the manager when there is none), the manager again for the police."""
    managers = _members(visit.compound_id, Role.COMPOUND_MANAGER)
    manager = managers[0] if managers else None
    if step in (Step.RETRY, Step.CONTACTS):
        return visit.caretaker or manager
    if step == Step.COMMUNITY:
        secretaries = _members(visit.compound_id, Role.PARTY_SECRETARY)
        return secretaries[0] if secretaries else manager
    return manager


def step_due(step: int, opened_at: datetime, conf: CareSettings) -> datetime:
    """When ``step`` ends (the next one fires)."""
    minutes = {
        Step.RETRY: conf.contacts_after,
        Step.CONTACTS: conf.manager_after,
        Step.MANAGER: conf.community_after,
        Step.COMMUNITY: conf.police_after,
    }.get(step)
    if minutes is None:
        return opened_at + timedelta(minutes=conf.police_after) + POLICE_WINDOW
    return opened_at + timedelta(minutes=minutes)


def _tell(esc: Escalation, visit: Visit, owner, extra=()) -> None:
    name = visit.person.resident.name
    notify(
        recipients=[owner, *extra],
        title=_("关爱升级：%(name)s · %(step)s") % {"name": name, "step": Step(esc.step).label},
        body=_("%(name)s 的探访未确认平安，请在 %(due)s 前处理。")
        % {"name": name, "due": timezone.localtime(esc.due_at).strftime("%m-%d %H:%M")},
        link=reverse("care_h5_visit", args=[visit.pk]),
        kind="care.escalation",
    )


def escalation_open(*, visit: Visit, at: datetime, unrecorded: bool = False) -> Escalation | None:
    """Open the chain for ``visit`` at ``at`` (step 1); None when it has one."""
    conf = settings_for(visit.compound_id)
    owner = step_owner(Step.RETRY, visit)
    try:
        with transaction.atomic():
            esc = Escalation.objects.create(
                visit=visit,
                compound_id=visit.compound_id,
                step=Step.RETRY,
                owner=owner,
                opened_at=at,
                due_at=step_due(Step.RETRY, at, conf),
                unrecorded=unrecorded,
                history=[{"step": 1, "at": at.isoformat(), "owner": getattr(owner, "pk", None)}],
            )
            extra = _members(visit.compound_id, Role.COMPOUND_MANAGER) if unrecorded else ()
            _tell(esc, visit, owner, extra)
            audit(
                actor=None,
                action="care.escalation.opened",
                obj=esc,
                compound=visit.compound,
                detail={"visit": visit.pk, "unrecorded": unrecorded},
            )
    except IntegrityError:
        return None
    return esc


def _fire_next(esc: Escalation, now: datetime) -> bool:
    """Move ``esc`` from its step to the next one if still open and due: one
    conditional UPDATE, so the step fires once."""
    nxt = esc.step + 1
    if nxt > Step.POLICE:
        return False
    visit = esc.visit
    conf = settings_for(esc.compound_id)
    owner = step_owner(nxt, visit)
    fired_at = esc.due_at  # the step's own time, even when the sweep runs late
    history = [
        *esc.history,
        {"step": nxt, "at": fired_at.isoformat(), "owner": getattr(owner, "pk", None)},
    ]
    due = step_due(nxt, esc.opened_at, conf)
    with transaction.atomic():
        won = Escalation.objects.filter(
            pk=esc.pk, step=esc.step, status=EscalationStatus.OPEN, due_at__lte=now
        ).update(step=nxt, owner=owner, due_at=due, acknowledged_at=None, history=history)
        if not won:
            return False
        esc.step, esc.owner, esc.due_at, esc.history = nxt, owner, due, history
        esc.acknowledged_at = None
        _tell(esc, visit, owner)
        audit(
            actor=None,
            action="care.escalation.stepped",
            obj=esc,
            compound=visit.compound,
            detail={"step": nxt},
        )
    return True


def _close_unrecorded(now: datetime) -> int:
    """Each visit still pending at its cut-off is marked missed and opens a
    chain (at the cut-off's time)."""
    opened = 0
    late = Visit.objects.filter(status=VisitStatus.PENDING, due_by__lte=now).select_related(
        "person__resident", "compound", "caretaker"
    )
    for visit in late:
        with transaction.atomic():
            won = Visit.objects.filter(pk=visit.pk, status=VisitStatus.PENDING).update(
                status=VisitStatus.MISSED
            )
            if won:
                opened += escalation_open(visit=visit, at=visit.due_by, unrecorded=True) is not None
    return opened


def escalations_sweep(*, now: datetime | None = None) -> dict:
    """Open the chains of visits past their cut-off, then fire each step whose
    time has come (every step at most once; a late sweep fires the missed
    steps in turn). Returns counts."""
    now = now or timezone.now()
    opened = _close_unrecorded(now)
    fired = 0
    due = (
        Escalation.objects.filter(
            status=EscalationStatus.OPEN, due_at__lte=now, step__lt=Step.POLICE
        )
        .select_related("visit__person__resident", "visit__compound", "visit__caretaker")
        .order_by("due_at")
    )
    for esc in due:
        while esc.step < Step.POLICE and esc.due_at <= now and _fire_next(esc, now):
            fired += 1
    return {"opened": opened, "fired": fired}


def _may_handle(actor, esc: Escalation) -> bool:
    return esc.owner_id == actor.pk or can_view(actor, esc.compound) or may_record(actor, esc.visit)


def escalation_acknowledge(*, actor, escalation: Escalation) -> bool:
    """The owner (or a manager) says they have it; once per step."""
    if not _may_handle(actor, escalation):
        raise Forbidden
    with transaction.atomic():
        done = Escalation.objects.filter(
            pk=escalation.pk, status=EscalationStatus.OPEN, acknowledged_at__isnull=True
        ).update(acknowledged_at=timezone.now())
        if done:
            audit(
                actor=actor,
                action="care.escalation.acknowledged",
                obj=escalation,
                detail={"step": escalation.step},
            )
    escalation.refresh_from_db()
    return bool(done)


def escalation_resolve(*, actor, escalation: Escalation, result: str, note: str = "") -> Escalation:
    """Close the chain: the person reached (safe, in hospital, other). Any
    result stops it; ``other`` needs a note. 409 when already resolved."""
    if not _may_handle(actor, escalation):
        raise Forbidden
    errors = {}
    if result not in Result.values:
        errors["result"] = _("请选择处置结果。")
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = _("说明最多 300 字。")
    elif result == Result.OTHER and not note:
        errors["note"] = _("选择“其他”时请写明情况。")
    if errors:
        raise Invalid(errors)
    now = timezone.now()
    with transaction.atomic():
        done = Escalation.objects.filter(pk=escalation.pk, status=EscalationStatus.OPEN).update(
            status=EscalationStatus.RESOLVED,
            result=result,
            note=note,
            resolved_at=now,
            resolved_by=actor,
        )
        if not done:
            raise Conflict(_("这条升级处置已经解除了。"))
        audit(
            actor=actor,
            action="care.escalation.resolved",
            obj=escalation,
            detail={"result": result, "step": escalation.step},
        )
    escalation.refresh_from_db()
    return escalation


def settings_set(*, actor, compound, **fields) -> CareSettings:
    """A compound's escalation timings (minutes after the chain opens, each
    step later than the one before) and the daily cut-off."""
    from ..access import can_manage

    if not can_manage(actor, compound):
        raise Forbidden
    conf = settings_for(compound.pk)
    names = ("contacts_after", "manager_after", "community_after", "police_after")
    errors, values = {}, {}
    for name in names:
        raw = fields.get(name, getattr(conf, name))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[name] = _("请填写分钟数。")
            continue
        if not 5 <= value <= 2880:
            errors[name] = _("应在 5 到 2880 分钟之间。")
        values[name] = value
    if not errors:
        for before, after in zip(names, names[1:], strict=False):
            if values[after] <= values[before]:
                errors[after] = _("每一步须晚于上一步。")
    cutoff = fields.get("cutoff", conf.cutoff)
    if cutoff is None:
        errors["cutoff"] = _("请填写截止时间（如 20:00）。")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        for k, v in values.items():
            setattr(conf, k, v)
        conf.cutoff = cutoff
        conf.save()
        audit(
            actor=actor, action="care.settings.set", obj=compound, compound=compound, detail=values
        )
    return conf
