"""Every write to disputes: intake, escalation (by hand and on timeout), sessions,
resolution, rating, follow-up, reopening, sweeps and the per-compound policy.

State changes are conditional UPDATEs on the state the caller saw
(``WHERE status IN open AND level = seen``), so the periodic job and a
mediator acting at the same moment cannot both escalate one case."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wanjia.core.audit import audit
from wanjia.core.notify import notify
from wanjia.core.roles import CAPABILITIES, Role
from wanjia.core.scoping import can, roles_for

from . import access
from .models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseParty,
    Category,
    EventKind,
    Level,
    Policy,
    Risk,
    Session,
    Source,
    Status,
    Sweep,
    SweepPeriod,
    next_level,
)

STALE = gettext_noop("案件状态已经变化，请刷新后再试。")
# who may open a case for others (a resident opens one for their own household)
STAFF_SIDE = CAPABILITIES["disputes.report"] - {Role.RESIDENT}


def policy_for(compound) -> Policy:
    """The compound's policy, or an unsaved one holding the defaults."""
    try:
        return compound.dispute_policy
    except Policy.DoesNotExist:
        return Policy(compound=compound)


def case_url(case) -> str:
    return reverse("disputes_case", args=[case.pk])


def _text(value, field: str, label: str, max_len: int, *, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > max_len:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": max_len}}
        )
    return value


def _event(case, kind, *, actor=None, from_level="", to_level="", mediator=None, reason=""):
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        from_level=from_level,
        to_level=to_level,
        mediator=mediator,
        reason=reason[:300],
    )


# ---------------------------------------------------------------- intake


def _source_for(actor, case_compound, building, sweep) -> str:
    if sweep is not None:
        return Source.SWEEP
    held = roles_for(actor, compound=case_compound, building_id=building and building.pk)
    if Role.BUILDING_LEADER in held:
        return Source.LEADER
    return Source.STAFF if held & STAFF_SIDE else Source.RESIDENT


def _led_building(actor, compound):
    """The one building ``actor`` leads in ``compound``, if exactly one."""
    from wanjia.core.scoping import memberships_of

    led = {
        m.building_id
        for m in memberships_of(actor)
        if m.role == Role.BUILDING_LEADER and m.compound_id == compound.pk and m.building_id
    }
    return compound.buildings.filter(pk=led.pop()).first() if len(led) == 1 else None


def _intake_building(actor, compound, building, own_households):
    """Where the case sits. A resident's case sits in their own building; a
    building leader's, unless they say otherwise, in the building they lead."""
    if building is None and not own_households:
        building = _led_building(actor, compound)
    if own_households:
        own_buildings = set(own_households.values_list("building_id", flat=True))
        if building is None:
            return own_households.first().building
        if building.pk not in own_buildings:
            raise ValidationError({"building": _("居民只能上报自己所在楼栋的矛盾纠纷。")})
    if building is not None and building.compound_id != compound.pk:
        raise ValidationError({"building": _("楼栋不属于该小区。")})
    return building


def _check_intake_permission(actor, compound, building, own_households) -> None:
    if own_households:
        return  # a resident reports for their own household
    held = roles_for(actor, compound=compound, building_id=building and building.pk)
    if not held & STAFF_SIDE:
        raise PermissionDenied


def _starting_level(case, risk: str) -> tuple[str, object, str]:
    """(level, mediator, reason): red goes to the compound; a building with nobody
    to mediate hands the case straight to the compound."""
    if risk == Risk.RED:
        return (
            Level.COMPOUND,
            access.pick_mediator(case, Level.COMPOUND),
            _("红色风险直接由小区调处"),
        )
    if case.building_id is None:
        return Level.COMPOUND, access.pick_mediator(case, Level.COMPOUND), _("涉及全小区")
    mediator = access.pick_mediator(case, Level.BUILDING)
    if mediator is None:
        return (
            Level.COMPOUND,
            access.pick_mediator(case, Level.COMPOUND),
            _("本楼栋暂无楼栋长或联户党员"),
        )
    return Level.BUILDING, mediator, ""


def case_open(
    *,
    actor,
    compound,
    category: str,
    summary: str,
    building=None,
    households=(),
    company_party: bool = False,
    risk: str = Risk.BLUE,
    sweep: Sweep | None = None,
) -> Case:
    """Open a case. ``households`` are the other parties; a resident reporter's own
    household is always a party. Residents report only for their own household."""
    from wanjia.estates.models import Household

    if category not in Category.values:
        raise ValidationError({"category": _("请选择矛盾类别。")})
    if risk not in Risk.values:
        raise ValidationError({"risk": _("风险等级只能是蓝色、黄色或红色。")})
    summary = _text(summary, "summary", _("情况描述"), 2000)
    if sweep is not None:
        building = sweep.building
    own = Household.objects.filter(
        compound=compound, pk__in=access.party_households_of(actor)
    ).select_related("building")
    if roles_for(actor, compound=compound) & STAFF_SIDE or _led_building(actor, compound):
        own = own.none()  # staff who also live here report as staff
    building = _intake_building(actor, compound, building, own)
    _check_intake_permission(actor, compound, building, own.exists())
    party_households = list(own) + [h for h in households if h.pk not in {o.pk for o in own}]
    for h in party_households:
        if h.compound_id != compound.pk:
            raise ValidationError({"parties": _("当事住户须是本小区住户。")})
    if not party_households and not company_party:
        raise ValidationError({"parties": _("请至少选择一方当事人（住户或物业公司）。")})
    if company_party and compound.company_id is None:
        raise ValidationError({"parties": _("该小区没有物业企业。")})
    return _create_case(
        actor=actor,
        compound=compound,
        building=building,
        category=category,
        summary=summary,
        risk=risk,
        sweep=sweep,
        households=party_households,
        company_party=company_party,
    )


def _create_case(
    *, actor, compound, building, category, summary, risk, sweep, households, company_party
) -> Case:
    now = timezone.now()
    with transaction.atomic():
        case = Case(
            compound=compound,
            building=building,
            category=category,
            summary=summary,
            risk=risk,
            source=_source_for(actor, compound, building, sweep),
            sweep=sweep,
            reported_by=actor,
            opened_at=now,
            level_since=now,
        )
        case.level, case.mediator, reason = _starting_level(case, risk)
        case.due_at = now + timedelta(days=policy_for(compound).days_for(case.level))
        case.save()
        CaseParty.objects.bulk_create(
            [CaseParty(case=case, household=h, label=h.label) for h in households]
            + (
                [CaseParty(case=case, company_id=compound.company_id, label=compound.company.name)]
                if company_party
                else []
            )
        )
        if sweep is not None:
            Sweep.objects.filter(pk=sweep.pk, done_at__isnull=True).update(
                done_at=now, done_by=actor, found_nothing=False
            )
        _event(
            case,
            EventKind.OPENED,
            actor=actor,
            to_level=case.level,
            mediator=case.mediator,
            reason=reason,
        )
        audit(
            actor=actor,
            action="disputes.case.opened",
            obj=case,
            detail={"level": case.level, "risk": risk, "category": category},
        )
        _tell_arrival(
            case,
            case.level,
            title=_("新的矛盾纠纷待调解：%(c)s") % {"c": case.get_category_display()},
            kind="disputes.opened",
            exclude=actor,
        )
    return case


def _tell_arrival(case, level, *, title: str, kind: str, exclude=None) -> None:
    """Notify the mediator and the level's people; red cases also reach the community."""
    recipients = [case.mediator, *access.level_audience(case, level)]
    if case.risk == Risk.RED:
        recipients += access.level_audience(case, Level.COMMUNITY)
    recipients = [u for u in recipients if u is not None and u != exclude]
    body = _("%(compound)s · %(level)s层级 · 期限 %(due)s") % {
        "compound": case.compound.name,
        "level": Level(level).label,
        "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
    }
    notify(recipients=recipients, title=title, body=body, link=case_url(case), kind=kind)


# ---------------------------------------------------------------- escalation


def case_escalate(*, actor, case: Case, reason: str = "", timed_out: bool = False) -> Case:
    """Move ``case`` one level up, reassign it and notify. ``timed_out`` is the
    periodic job's call (no actor); a person must be able to mediate the case."""
    if not timed_out and not access.can_mediate(actor, case):
        raise PermissionDenied
    if not case.is_open:
        raise ValidationError({"status": _("案件已化解，不能上报。")})
    target = next_level(case.level)
    if target is None:
        raise ValidationError({"level": _("已在街道层级，无法继续上报。")})
    reason = _text(reason, "reason", _("上报理由"), 300, required=False)
    now = timezone.now()
    mediator = access.pick_mediator(case, target)
    with transaction.atomic():
        seen = Case.objects.filter(pk=case.pk, level=case.level, status__in=OPEN_STATUSES)
        if timed_out:
            seen = seen.filter(due_at__lte=now)
        changed = seen.update(
            level=target,
            level_since=now,
            due_at=now + timedelta(days=policy_for(case.compound).days_for(target)),
            mediator=mediator,
            timeouts=F("timeouts") + (1 if timed_out else 0),
        )
        if not changed:
            if timed_out:
                return case  # a person acted first; nothing to do
            raise ValidationError({"level": _(STALE)})
        old = case.level
        case.refresh_from_db()
        _event(
            case,
            EventKind.TIMED_OUT if timed_out else EventKind.ESCALATED,
            actor=actor,
            from_level=old,
            to_level=target,
            mediator=mediator,
            reason=reason
            or (_("%(level)s层级超过时限") % {"level": Level(old).label} if timed_out else ""),
        )
        audit(
            actor=actor,
            action="disputes.case.escalated",
            obj=case,
            detail={"from": old, "to": target, "timed_out": timed_out},
        )
        title = (_("矛盾纠纷超时上报：%(c)s") if timed_out else _("矛盾纠纷上报：%(c)s")) % {
            "c": case.get_category_display()
        }
        _tell_arrival(case, target, title=title, kind="disputes.escalated", exclude=actor)
    return case


def cases_escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every open case whose level time limit has passed (the periodic
    job). Each case is its own transaction, so one failure stops no other."""
    now = now or timezone.now()
    due = (
        Case.objects.filter(status__in=OPEN_STATUSES, due_at__lte=now)
        .exclude(level=Level.STREET)
        .select_related("compound__community__parent", "building")
        .order_by("due_at")
    )
    moved = 0
    for case in due.iterator(chunk_size=200):
        before = case.level
        case = case_escalate(actor=None, case=case, timed_out=True)
        moved += case.level != before
    return moved


# ---------------------------------------------------------------- mediation


def _require_mediator(actor, case) -> None:
    if not access.can_mediate(actor, case):
        raise PermissionDenied


def _require_open(case) -> None:
    if not case.is_open:
        raise ValidationError({"status": _("案件已化解，如需继续调解请先重新打开。")})


def session_add(
    *,
    actor,
    case: Case,
    notes: str,
    held_at: datetime | None = None,
    place: str = "",
    attendees: str = "",
) -> Session:
    _require_mediator(actor, case)
    _require_open(case)
    now = timezone.now()
    held_at = held_at or now
    if held_at > now + timedelta(hours=1):
        raise ValidationError({"held_at": _("调解时间不能晚于现在。")})
    if held_at < case.opened_at - timedelta(days=1):
        raise ValidationError({"held_at": _("调解时间不能早于案件登记时间。")})
    with transaction.atomic():
        session = Session.objects.create(
            case=case,
            level=case.level,
            held_at=held_at,
            place=_text(place, "place", _("地点"), 100, required=False),
            attendees=_text(attendees, "attendees", _("参加人员"), 300, required=False),
            notes=_text(notes, "notes", _("调解记录"), 5000),
            mediator=actor,
        )
        Case.objects.filter(pk=case.pk, status=Status.PENDING).update(status=Status.MEDIATING)
        _event(case, EventKind.SESSION, actor=actor, to_level=case.level)
        audit(
            actor=actor, action="disputes.session.added", obj=case, detail={"session": session.pk}
        )
    case.refresh_from_db()
    return session


def case_resolve(*, actor, case: Case, resolution: str, agreement: str = "") -> Case:
    """Record the settlement at the case's current level (that level is what the
    小事不出楼栋 / 大事不出小区 figures count)."""
    _require_mediator(actor, case)
    _require_open(case)
    resolution = _text(resolution, "resolution", _("化解结果"), 2000)
    agreement = _text(agreement, "agreement", _("调解协议内容"), 5000, required=False)
    now = timezone.now()
    followup = timezone.localdate(now) + timedelta(days=policy_for(case.compound).followup_days)
    with transaction.atomic():
        changed = Case.objects.filter(
            pk=case.pk, level=case.level, status__in=OPEN_STATUSES
        ).update(
            status=Status.RESOLVED,
            resolved_at=now,
            resolved_level=case.level,
            resolution=resolution,
            agreement=agreement,
            followup_due=followup,
        )
        if not changed:
            raise ValidationError({"status": _(STALE)})
        case.refresh_from_db()
        _event(case, EventKind.RESOLVED, actor=actor, to_level=case.level)
        audit(actor=actor, action="disputes.case.resolved", obj=case, detail={"level": case.level})
        notify(
            recipients=[u for u in access.party_users(case) if u != actor],
            title=_("您的矛盾纠纷已化解，请评价"),
            body=resolution[:200],
            link=reverse("disputes_h5_case", args=[case.pk]),
            kind="disputes.resolved",
        )
    return case


def _rating_party(actor, case, party_id):
    """The party a rating is for: the resident's own household, or (for a
    mediator recording a phone answer) the party they name."""
    own = access.party_households_of(actor)
    mine = case.parties.filter(household_id__in=own) if own else case.parties.none()
    if party_id is None:
        party = mine.first()
        if party is None:
            if access.can_mediate(actor, case):
                raise ValidationError({"party": _("请选择评价的当事方。")})
            raise PermissionDenied
        return party
    party = case.parties.filter(pk=party_id).first()
    if party is None:
        raise ValidationError({"party": _("该当事方不属于此案件。")})
    if party in mine or access.can_mediate(actor, case):
        return party
    raise PermissionDenied


def case_rate(
    *, actor, case: Case, score: int, party_id: int | None = None, comment: str = ""
) -> CaseParty:
    party = _rating_party(actor, case, party_id)
    if case.is_open:
        raise ValidationError({"score": _("案件化解后才能评价。")})
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("满意度为1到5分。")})
    comment = _text(comment, "comment", _("评价"), 500, required=False)
    with transaction.atomic():
        CaseParty.objects.filter(pk=party.pk).update(
            satisfaction=score, comment=comment, rated_at=timezone.now()
        )
        _event(case, EventKind.RATED, actor=actor, reason=f"{party.label}: {score}")
        audit(
            actor=actor,
            action="disputes.case.rated",
            obj=case,
            detail={"party": party.pk, "score": score},
        )
    party.refresh_from_db()
    return party


def case_followup(*, actor, case: Case, note: str) -> Case:
    _require_mediator(actor, case)
    note = _text(note, "note", _("回访情况"), 2000)
    with transaction.atomic():
        changed = Case.objects.filter(pk=case.pk, status=Status.RESOLVED).update(
            status=Status.CLOSED, followed_up_at=timezone.now(), followup_note=note
        )
        if not changed:
            raise ValidationError({"status": _("只有已化解、待回访的案件可以回访。")})
        case.refresh_from_db()
        _event(case, EventKind.FOLLOWED_UP, actor=actor, to_level=case.level)
        audit(actor=actor, action="disputes.case.followed_up", obj=case)
    return case


def case_reopen(*, actor, case: Case, reason: str) -> Case:
    """A party or the mediator reopens a settled case within the policy's period;
    it goes back to the level it was settled at, with a fresh time limit."""
    is_party = case.parties.filter(household_id__in=access.party_households_of(actor)).exists()
    if not is_party and not access.can_mediate(actor, case):
        raise PermissionDenied
    reason = _text(reason, "reason", _("重新打开的理由"), 300)
    policy = policy_for(case.compound)
    now = timezone.now()
    if case.is_open:
        raise ValidationError({"status": _("案件仍在调解中。")})
    if case.resolved_at + timedelta(days=policy.reopen_days) < now:
        raise ValidationError(
            {"status": _("已超过%(n)s天的重新打开期限。") % {"n": policy.reopen_days}}
        )
    with transaction.atomic():
        changed = Case.objects.filter(pk=case.pk, status=case.status).update(
            status=Status.MEDIATING,
            resolved_at=None,
            resolved_level="",
            followup_due=None,
            followed_up_at=None,
            level_since=now,
            due_at=now + timedelta(days=policy.days_for(case.level)),
            reopened=F("reopened") + 1,
        )
        if not changed:
            raise ValidationError({"status": _(STALE)})
        case.refresh_from_db()
        _event(case, EventKind.REOPENED, actor=actor, to_level=case.level, reason=reason)
        audit(actor=actor, action="disputes.case.reopened", obj=case)
        notify(
            recipients=[u for u in [case.mediator] if u is not None and u != actor],
            title=_("矛盾纠纷被重新打开：%(c)s") % {"c": case.get_category_display()},
            body=reason,
            link=case_url(case),
            kind="disputes.reopened",
        )
    return case


# ---------------------------------------------------------------- policy


POLICY_FIELDS = {
    "building_days": (1, 60),
    "compound_days": (1, 90),
    "community_days": (1, 180),
    "street_days": (1, 365),
    "followup_days": (1, 90),
    "reopen_days": (0, 365),
}


def policy_update(*, actor, compound, data: dict) -> Policy:
    if not can(actor, "disputes.configure", compound=compound):
        raise PermissionDenied
    errors, clean = {}, {}
    for name, (low, high) in POLICY_FIELDS.items():
        if name in data:
            value = data[name]
            if not isinstance(value, int) or not low <= value <= high:
                errors[name] = [_("应为%(low)s到%(high)s之间的整数。") % {"low": low, "high": high}]
            else:
                clean[name] = value
    if "sweep_period" in data:
        if data["sweep_period"] not in SweepPeriod.values:
            errors["sweep_period"] = [_("排查周期只能是每周或每月。")]
        else:
            clean["sweep_period"] = data["sweep_period"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, _created = Policy.objects.update_or_create(compound=compound, defaults=clean)
        audit(actor=actor, action="disputes.policy.updated", obj=compound, detail=clean)
    return policy


# ---------------------------------------------------------------- sweeps


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The week (Monday–Sunday) or calendar month containing ``day``."""
    if period == SweepPeriod.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def sweeps_plan(*, compound, on: date | None = None) -> int:
    """Create this period's sweep for every building of ``compound`` (idempotent)."""
    on = on or timezone.localdate()
    start, end = period_bounds(policy_for(compound).sweep_period, on)
    rows = [
        Sweep(compound=compound, building=b, period_start=start, period_end=end)
        for b in compound.buildings.all()
    ]
    before = Sweep.objects.filter(compound=compound, period_start=start).count()
    Sweep.objects.bulk_create(rows, ignore_conflicts=True)
    return Sweep.objects.filter(compound=compound, period_start=start).count() - before


def sweeps_plan_all(*, on: date | None = None) -> int:
    from wanjia.estates.models import Compound

    return sum(sweeps_plan(compound=c, on=on) for c in Compound.objects.all().iterator())


def can_sweep(actor, sweep: Sweep) -> bool:
    held = roles_for(actor, compound=sweep.compound, building_id=sweep.building_id)
    return bool(held & access.LEVEL_ROLES[Level.BUILDING])


def sweep_complete(*, actor, sweep: Sweep, note: str = "") -> Sweep:
    """Record "nothing found" for a building's sweep (a sweep that finds
    something is completed by opening a case from it)."""
    if not can_sweep(actor, sweep):
        raise PermissionDenied
    note = _text(note, "note", _("排查说明"), 500, required=False)
    with transaction.atomic():
        changed = Sweep.objects.filter(pk=sweep.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=actor, found_nothing=True, note=note
        )
        if not changed:
            raise ValidationError({"sweep": _("该楼栋本期排查已完成。")})
        sweep.refresh_from_db()
        audit(
            actor=actor,
            action="disputes.sweep.completed",
            obj=sweep,
            compound=sweep.compound,
            detail={"found_nothing": True},
        )
    return sweep
