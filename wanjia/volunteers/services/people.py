"""Applications, approval and teams."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.notify import notify
from wanjia.core.roles import Role
from wanjia.core.services import membership_grant
from wanjia.estates.models import Resident

from .. import access
from ..models import AppStatus, Team, TeamKind, Volunteer

LIMITS = {"skills": 200, "availability": 200, "languages": 100}


def ensure_teams(compound) -> list[Team]:
    """The compound's five teams, made on first use."""
    have = {t.kind: t for t in Team.objects.filter(compound=compound)}
    missing = [Team(compound=compound, kind=k) for k in TeamKind.values if k not in have]
    if missing:
        Team.objects.bulk_create(missing, ignore_conflicts=True)
        have = {t.kind: t for t in Team.objects.filter(compound=compound)}
    return [have[k] for k in TeamKind.values]


def volunteer_for(user, compound, *, create: bool = True) -> Volunteer | None:
    """The approved volunteer record of ``user`` in ``compound``. A user given
    the volunteer role there directly (by the company, not through an
    application) is approved already: the record is made on first use."""
    found = Volunteer.objects.filter(compound=compound, user=user).first()
    if found is not None and found.status == AppStatus.APPROVED:
        return found
    if not access.can_serve(user, compound) or not create:
        return None
    now = timezone.now()
    if found is not None:
        Volunteer.objects.filter(pk=found.pk).update(status=AppStatus.APPROVED, decided_at=now)
        found.refresh_from_db()
        return found
    try:
        with transaction.atomic():
            return Volunteer.objects.create(
                compound=compound,
                user=user,
                name=user.display_name or user.username,
                phone=user.phone or "",
                status=AppStatus.APPROVED,
                applied_at=now,
                decided_at=now,
            )
    except IntegrityError:  # made at the same moment by another request
        return Volunteer.objects.get(compound=compound, user=user)


def _clean_application(fields: dict) -> dict:
    errors = {}
    out = {}
    for key, limit in LIMITS.items():
        value = str(fields.get(key) or "").strip()
        if len(value) > limit:
            errors[key] = _("最多 %(n)s 个字。") % {"n": limit}
        out[key] = value
    if not out["availability"]:
        errors["availability"] = _("请写一下您什么时候方便，例如“周末上午”。")
    wants = [w for w in fields.get("wants") or [] if w]
    if any(w not in TeamKind.values for w in wants):
        errors["wants"] = _("请选择列出的队伍。")
    out["wants"] = ",".join(dict.fromkeys(wants))
    for flag in ("can_lift", "can_drive", "can_help_phone"):
        out[flag] = bool(fields.get(flag))
    if errors:
        raise Invalid(errors)
    return out


def apply(*, actor, compound, **fields) -> Volunteer:
    """A resident applies in their compound; a declined applicant may apply again."""
    if not access.can_apply(actor, compound):
        raise Forbidden
    data = _clean_application(fields)
    now = timezone.now()
    resident = Resident.objects.filter(compound=compound, user=actor).order_by("id").first()
    with transaction.atomic():
        existing = (
            Volunteer.objects.select_for_update().filter(compound=compound, user=actor).first()
        )
        if existing is not None and existing.status == AppStatus.PENDING:
            raise Conflict(_("您的申请已经提交，正在等待审核。"))
        if existing is not None and existing.status == AppStatus.APPROVED:
            raise Conflict(_("您已经是本小区的志愿者了。"))
        if existing is not None:
            Volunteer.objects.filter(pk=existing.pk).update(
                **data,
                status=AppStatus.PENDING,
                decline_reason="",
                applied_at=now,
                decided_at=None,
                decided_by=None,
            )
            volunteer = Volunteer.objects.get(pk=existing.pk)
        else:
            volunteer = Volunteer.objects.create(
                compound=compound,
                user=actor,
                resident=resident,
                name=(resident.name if resident else "") or actor.display_name or actor.username,
                phone=(resident.phone if resident else "") or actor.phone or "",
                applied_at=now,
                **data,
            )
        audit(actor=actor, action="volunteers.applied", obj=volunteer, compound=compound)
    return volunteer


def application_decide(
    *, actor, volunteer: Volunteer, approve: bool, reason: str = "", teams=()
) -> Volunteer:
    """Approve (grants the volunteer role in the compound, joins the teams
    chosen) or decline with a reason. Decided once: a second decision is 409."""
    compound = volunteer.compound
    if not access.can_manage(actor, compound):
        raise Forbidden
    reason = (reason or "").strip()
    if not approve and not reason:
        raise Invalid({"reason": _("请写明未通过的原因，申请人会看到。")})
    if len(reason) > 200:
        raise Invalid({"reason": _("最多 %(n)s 个字。") % {"n": 200}})
    if any(t not in TeamKind.values for t in teams):
        raise Invalid({"teams": _("请选择列出的队伍。")})
    now = timezone.now()
    status = AppStatus.APPROVED if approve else AppStatus.DECLINED
    with transaction.atomic():
        won = Volunteer.objects.filter(pk=volunteer.pk, status=AppStatus.PENDING).update(
            status=status,
            decline_reason="" if approve else reason,
            decided_at=now,
            decided_by=actor,
        )
        if not won:
            raise Conflict(_("这份申请已经审核过了。"))
        volunteer.refresh_from_db()
        if approve:
            if volunteer.user_id:
                membership_grant(
                    actor=actor, user=volunteer.user, role=Role.VOLUNTEER, node=compound
                )
            chosen = set(teams)
            for team in ensure_teams(compound):
                if team.kind in chosen:
                    team.members.add(volunteer)
        audit(
            actor=actor,
            action="volunteers.approved" if approve else "volunteers.declined",
            obj=volunteer,
            compound=compound,
            detail={"reason": reason} if not approve else {"teams": sorted(teams)},
        )
        if volunteer.user_id:
            if approve:
                title = _("您的志愿者申请已通过，欢迎加入！")
                body = ""
            else:
                title = _("您的志愿者申请未通过")
                body = reason
            notify(
                recipients=[volunteer.user],
                title=title,
                body=body,
                link=reverse("volunteers_h5"),
                kind="volunteers.decided",
            )
    return volunteer


def team_set(*, actor, team: Team, leader: Volunteer | None, members) -> Team:
    """Set a team's members and leader (the leader must be one of them)."""
    if not access.can_manage(actor, team.compound):
        raise Forbidden
    members = list(members)
    if any(m.compound_id != team.compound_id or m.status != AppStatus.APPROVED for m in members):
        raise Invalid({"members": _("只能选择本小区已通过审核的志愿者。")})
    if leader is not None and leader.pk not in {m.pk for m in members}:
        members.append(leader)
        if leader.compound_id != team.compound_id or leader.status != AppStatus.APPROVED:
            raise Invalid({"leader": _("队长须是本小区已通过审核的志愿者。")})
    with transaction.atomic():
        team.members.set(members)
        Team.objects.filter(pk=team.pk).update(leader=leader)
        team.refresh_from_db()
        audit(
            actor=actor,
            action="volunteers.team.set",
            obj=team,
            compound=team.compound,
            detail={"leader": leader.pk if leader else None, "members": len(members)},
        )
    return team
