"""A patrol team for the roster tests: ``staff_a`` and five more guards and
``volunteer_a`` in compound A, two guards in compound B."""

from datetime import date

from wanjia.core.roles import Role
from wanjia.core.testing import grant, make_user
from wanjia.patrol.models import Team, TeamMember, TeamRole

START = date(2026, 3, 2)  # a Monday


def build_team(world, compound, first_guard, volunteer=None, extra: int = 5, tag: str = "a"):
    team = Team.objects.create(compound=compound, name=f"巡逻队{tag}")
    guards = [first_guard] + [
        grant(make_user(display_name=f"保安{tag}{n}"), Role.STAFF, compound) for n in range(extra)
    ]
    for g in guards:
        TeamMember.objects.create(team=team, user=g, role=TeamRole.GUARD)
    if volunteer is not None:
        TeamMember.objects.create(team=team, user=volunteer, role=TeamRole.VOLUNTEER)
    return team, guards
