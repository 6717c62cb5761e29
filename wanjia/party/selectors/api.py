"""What the party API returns."""

from wanjia.core.models import Compound
from wanjia.core.scoping import get_or_404, scope_q
from wanjia.estates.models import StaffMember

from .scoped import (
    _viewers,
    activities_visible_to,
    branches_visible_to,
    members_visible_to,
    responsibilities_visible_to,
    teams_visible_to,
)


def party_compound_allowed(user, compound) -> bool:
    """Whether ``user`` holds ``party.view`` over ``compound``."""
    return Compound.objects.filter(
        scope_q(user, roles=_viewers(), compound="id"), pk=compound.pk
    ).exists()


def branch_member_count(branch) -> int:
    return branch.members.filter(status__in=("full", "probationary")).count()


def branches_listed(user):
    return branches_visible_to(user).order_by("name", "id")


def member_responsibilities(member):
    return member.responsibilities.select_related(
        "building", "household__building", "household__unit"
    )


def members_listed(user, *, compound=None, status=None):
    qs = members_visible_to(user)
    if compound is not None:
        qs = qs.filter(compound_id=compound)
    if status is not None:
        qs = qs.filter(status=status)
    return qs.order_by("compound_id", "name", "id")


def staff_visible_to(user):
    """Staff records any membership of ``user`` reaches (to enrol one as a member)."""
    return StaffMember.objects.filter(scope_q(user, compound="compound_id")).select_related(
        "compound"
    )


def responsibility_for_delete(user, pk):
    return get_or_404(responsibilities_visible_to(user).select_related("member__compound"), pk=pk)


def team_memberships(team):
    return team.memberships.select_related("member").order_by("id")


def teams_listed(user, *, compound=None):
    qs = teams_visible_to(user)
    if compound is not None:
        qs = qs.filter(compound_id=compound)
    return qs.order_by("-starts_on", "id")


def activities_listed_api(user, *, compound=None):
    qs = activities_visible_to(user).prefetch_related("attendance")
    if compound is not None:
        qs = qs.filter(compound_id=compound)
    return qs.order_by("-held_at", "-id")
