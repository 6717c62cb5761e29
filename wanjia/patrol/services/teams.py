"""Patrol teams: a compound's team is led by a party member and made of guards
and volunteers who hold patrol duty in that compound. The roster is built from
these members (``services.rosters.members_of``)."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia.core.audit import audit, describe_actions
from wanjia.core.errors import Forbidden, Invalid
from wanjia.core.models import User
from wanjia.core.roles import Role

from .. import access
from ..models import Team, TeamMember, TeamRole

PATROL_ROLES = (Role.STAFF, Role.VOLUNTEER, Role.PARTY_SECRETARY)


def ready() -> None:
    describe_actions(
        {
            "patrol.team.saved": gettext_lazy("保存巡逻队"),
            "patrol.team.member_added": gettext_lazy("巡逻队加人"),
            "patrol.team.member_removed": gettext_lazy("巡逻队减人"),
        }
    )


def on_duty_users(compound):
    """Users with patrol duty in ``compound`` (staff, volunteers, the secretary)."""
    return (
        User.objects.filter(
            is_active=True, memberships__compound=compound, memberships__role__in=PATROL_ROLES
        )
        .distinct()
        .order_by("display_name", "username")
    )


def leader_candidates(compound):
    """Who may lead the compound's team: its party secretary, and staff or
    residents marked 党员 in the registry, who hold patrol duty there."""
    return on_duty_users(compound).filter(
        Q(memberships__role=Role.PARTY_SECRETARY, memberships__compound=compound)
        | Q(staff_profile__is_party_member=True)
        | Q(resident__is_party_member=True)
    )


def _require(actor, compound) -> None:
    if not access.can_manage(actor, compound):
        raise Forbidden


def team_save(*, actor, compound, name: str, leader_id, team: Team | None = None) -> Team:
    """Create the team (``team`` None) or rename it and change its leader."""
    _require(actor, compound)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写队名。")]
    elif len(name) > 60:
        errors["name"] = [_("队名最多 60 字。")]
    try:
        leader = leader_candidates(compound).filter(pk=int(leader_id)).first()
    except (TypeError, ValueError):
        leader = None
    if leader is None:
        errors["leader"] = [_("队长须是本小区在岗的党员（党支部书记或登记为党员的员工、居民）。")]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if team is None:
            team = Team.objects.create(compound=compound, name=name, leader=leader)
        else:
            team.name, team.leader = name, leader
            team.save(update_fields=["name", "leader"])
        audit(
            actor=actor,
            action="patrol.team.saved",
            obj=team,
            compound=compound,
            detail={"name": name, "leader": leader.pk},
        )
    return team


def member_add(*, actor, team: Team, user_id, role: str) -> TeamMember:
    _require(actor, team.compound)
    errors = {}
    try:
        user = on_duty_users(team.compound).filter(pk=int(user_id)).first()
    except (TypeError, ValueError):
        user = None
    if user is None:
        errors["user"] = [_("只能加入在本小区有巡逻职责的员工或志愿者。")]
    if role not in TeamRole.values:
        errors["role"] = [_("请选择保安或志愿者。")]
    if errors:
        raise Invalid(errors)
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(team=team, user=user, role=role)
            audit(
                actor=actor,
                action="patrol.team.member_added",
                obj=team,
                compound=team.compound,
                detail={"user": user.pk, "role": role},
            )
    except IntegrityError:
        raise Invalid({"user": [_("这个人已经在队里了。")]}) from None
    return member


def member_remove(*, actor, member: TeamMember) -> None:
    team = member.team
    _require(actor, team.compound)
    with transaction.atomic():
        audit(
            actor=actor,
            action="patrol.team.member_removed",
            obj=team,
            compound=team.compound,
            detail={"user": member.user_id},
        )
        member.delete()
