"""Who mediates a case at each level, who may act on it, who may read its notes.

The rule of the tiers, in one place:
- building: the building's leader (or, where there is none, the party member who
  answers for the building); the compound's secretary and manager may step in;
- compound: the party secretary first, then the compound manager;
- community / street: the regulator whose region covers that community / street.
The case's assigned mediator may always act while it stays at that level."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.models import Membership, ScopeType
from wanjia.core.roles import STAFF_SIDE, Role
from wanjia.core.scoping import memberships_of, roles_for

from .models import Level

R = Role
# open a dispute case (a resident only for their own household)
declare("disputes", "disputes.report", _("登记矛盾纠纷"), STAFF_SIDE | {R.RESIDENT})
# figures (no personal data): the compound's mediators and the regulator
declare(
    "disputes",
    "disputes.figures",
    _("查看调解统计"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY, R.BUILDING_LEADER, R.REGULATOR},
)
# per-compound time limits, follow-up and reopen periods, sweep period
declare(
    "disputes", "disputes.configure", _("设置调解时限与回访"), {R.COMPANY_ADMIN, R.COMPOUND_MANAGER}
)

COMPOUND_MEDIATORS = {Role.PARTY_SECRETARY, Role.COMPOUND_MANAGER, Role.COMPANY_ADMIN}
LEVEL_ROLES = {
    Level.BUILDING: COMPOUND_MEDIATORS | {Role.BUILDING_LEADER},
    Level.COMPOUND: COMPOUND_MEDIATORS,
}


def level_region(case, level: str):
    """The region that handles ``case`` at a community or street level."""
    community = case.compound.community
    return community if level == Level.COMMUNITY else (community.parent or community)


def regulator_covers(user, region) -> bool:
    return any(
        m.role == Role.REGULATOR
        and m.scope_type == ScopeType.REGION
        and region.path.startswith(m.region.path)
        for m in memberships_of(user)
    )


def can_mediate(user, case) -> bool:
    """May ``user`` hold sessions, escalate, resolve and follow up ``case`` now?"""
    if getattr(user, "is_superuser", False):
        return True
    if case.mediator_id is not None and case.mediator_id == user.pk:
        return True
    if case.level in LEVEL_ROLES:
        held = roles_for(user, compound=case.compound, building_id=case.building_id)
        return bool(held & LEVEL_ROLES[case.level])
    return regulator_covers(user, level_region(case, case.level))


def can_see_notes(user, case) -> bool:
    """Session notes are for the mediators: the compound's own mediators at any
    level, the building's leader, and the regulator only once the case is theirs."""
    if can_mediate(user, case):
        return True
    held = roles_for(user, compound=case.compound, building_id=case.building_id)
    return bool(held & LEVEL_ROLES[Level.BUILDING])


def party_households_of(user) -> set[int]:
    """The households ``user`` is a resident of (their side of a case)."""
    return {
        m.household_id
        for m in memberships_of(user)
        if m.role == Role.RESIDENT and m.scope_type == ScopeType.HOUSEHOLD
    }


def _first_user(memberships):
    m = memberships.select_related("user").order_by("id").first()
    return m.user if m is not None else None


def pick_mediator(case, level: str):
    """The person a case is assigned to when it arrives at ``level`` (or None)."""
    active = Membership.objects.filter(user__is_active=True)
    if level == Level.BUILDING:
        if case.building_id is None:
            return None
        leader = _first_user(active.filter(role=Role.BUILDING_LEADER, building=case.building_id))
        if leader is not None:
            return leader
        from wanjia.party.selectors import responsible_users

        members = responsible_users(case.building)
        return members[0] if members else None
    if level == Level.COMPOUND:
        in_compound = active.filter(scope_type=ScopeType.COMPOUND, compound=case.compound_id)
        return _first_user(in_compound.filter(role=Role.PARTY_SECRETARY)) or _first_user(
            in_compound.filter(role=Role.COMPOUND_MANAGER)
        )
    return _first_user(_regulators_for(level_region(case, level)))


def _regulators_for(region):
    """Regulator memberships for ``region``: its own office first, else the
    nearest office above it (a district or the city covering it)."""
    parts = [p for p in region.path.split("/") if p]
    prefixes = ["/" + "/".join(parts[:i]) + "/" for i in range(len(parts), 0, -1)]
    rows = Membership.objects.filter(
        user__is_active=True,
        role=Role.REGULATOR,
        scope_type=ScopeType.REGION,
        region__path__in=prefixes,
    ).select_related("region")
    nearest = max(rows, key=lambda m: len(m.region.path), default=None)
    if nearest is None:
        return Membership.objects.none()
    return rows.filter(region=nearest.region)


def level_audience(case, level: str) -> list:
    """Everyone to tell when a case arrives at ``level`` (besides its mediator)."""
    active = Membership.objects.filter(user__is_active=True).select_related("user")
    if level == Level.BUILDING:
        rows = active.filter(role=Role.BUILDING_LEADER, building=case.building_id)
    elif level == Level.COMPOUND:
        rows = active.filter(
            scope_type=ScopeType.COMPOUND,
            compound=case.compound_id,
            role__in=[Role.PARTY_SECRETARY, Role.COMPOUND_MANAGER],
        )
    else:
        rows = _regulators_for(level_region(case, level)).select_related("user")
    return [m.user for m in rows]


def party_users(case) -> list:
    """Resident accounts of the households that are parties to ``case``."""
    households = case.parties.filter(household__isnull=False).values("household_id")
    rows = Membership.objects.filter(
        role=Role.RESIDENT, scope_type=ScopeType.HOUSEHOLD, household__in=households
    ).select_related("user")
    return [m.user for m in rows if m.user.is_active]


def has_household(user) -> bool:
    """Whether ``user`` belongs to a household: the resident pages for reporting
    and following disputes require one, and their service tiles ask the same."""
    return bool(party_households_of(user))
