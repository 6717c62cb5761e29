"""Mediation: sessions, resolution, rating, follow-up and reopening."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.notify import notify

from .. import access
from ..models import (
    OPEN_STATUSES,
    Case,
    CaseParty,
    EventKind,
    Session,
    Status,
)
from .common import STALE, _event, _text, case_url, policy_for

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
            title=lambda: _("您的矛盾纠纷已化解，请评价"),
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
            title=lambda: _("矛盾纠纷被重新打开：%(c)s") % {"c": case.get_category_display()},
            body=reason,
            link=case_url(case),
            kind="disputes.reopened",
        )
    return case
