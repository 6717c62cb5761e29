"""The party's records a user may see (``party.view`` over their compounds)."""

from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import scope_q

from ..models import ACTIVE_STATUSES, Activity, Branch, Member, Responsibility, Team


def _viewers():
    return CAPABILITIES["party.view"]


def branches_visible_to(user):
    q = scope_q(user, roles=_viewers(), compound="compounds__id")
    ids = Branch.objects.filter(q).values("pk")
    return Branch.objects.filter(pk__in=ids).prefetch_related("compounds")


def members_visible_to(user):
    return Member.objects.filter(
        scope_q(user, roles=_viewers(), compound="compound_id")
    ).select_related("branch", "compound", "resident__household__unit", "staff")


def teams_visible_to(user):
    return Team.objects.filter(scope_q(user, roles=_viewers(), compound="compound_id"))


def activities_visible_to(user):
    return Activity.objects.filter(scope_q(user, roles=_viewers(), compound="compound_id"))


def active_members(compound):
    return Member.objects.filter(compound=compound, status__in=ACTIVE_STATUSES)


def responsibilities_visible_to(user):
    return Responsibility.objects.filter(member__in=members_visible_to(user))
