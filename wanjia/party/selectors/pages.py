"""What the party pages show."""

from django.db.models import Count, Prefetch, Sum

from wanjia.core.models import Building, Compound
from wanjia.core.scoping import scope_q
from wanjia.estates.models import Household, Resident, StaffMember

from ..models import ACTIVE_STATUSES, Attendance, Member, Responsibility, TeamMember
from .coverage import month_start
from .scoped import (
    _viewers,
    active_members,
    activities_visible_to,
    members_visible_to,
    teams_visible_to,
)


def party_compounds(user):
    """Compounds where ``user`` may see the party pages, by code."""
    return Compound.objects.filter(scope_q(user, roles=_viewers(), compound="id")).order_by("code")


def party_compound(user, pk):
    """That compound if ``user`` may see its party pages, else None."""
    return party_compounds(user).filter(pk=pk).first()


def branches_of(compound) -> list:
    return list(compound.party_branches.order_by("name"))


def active_members_by_name(compound) -> list:
    return list(active_members(compound).order_by("name"))


def roles_count(compound) -> dict:
    """How many active members hold each branch role."""
    return dict(active_members(compound).values_list("role").annotate(n=Count("pk")).order_by())


def teams_of(user, compound):
    return teams_visible_to(user).filter(compound=compound)


def recent_teams(user, compound, *, limit: int = 5):
    return teams_of(user, compound).annotate(n=Count("memberships")).order_by("-starts_on")[:limit]


def activities_counted(user, compound):
    """The compound's activities with how many attended and their hours, latest first."""
    return (
        activities_visible_to(user)
        .filter(compound=compound)
        .annotate(people=Count("attendance"), hours=Sum("attendance__hours"))
    )


def recent_activities(user, compound, *, limit: int = 5):
    return activities_counted(user, compound).order_by("-held_at")[:limit]


def activities_listed(user, compound, *, limit: int = 100):
    return activities_counted(user, compound).order_by("-held_at", "-id")[:limit]


def top_hours_month(compound, *, limit: int = 5):
    """This month's members with the most service hours."""
    return (
        Attendance.objects.filter(activity__compound=compound, activity__held_at__gte=month_start())
        .values("member__name")
        .annotate(h=Sum("hours"))
        .order_by("-h")[:limit]
    )


def building_of(compound, pk):
    return Building.objects.filter(compound=compound, pk=pk).first()


def household_of(compound, pk):
    return Household.objects.filter(compound=compound, pk=pk).first()


def members_with_duties(user, compound):
    """The compound's members with what they answer for and their teams."""
    return (
        members_visible_to(user)
        .filter(compound=compound)
        # a member's home is shown by its label (building-unit-room)
        .select_related("resident__household__building", "resident__household__unit")
        .prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related(
                    "building", "household__unit", "household__building"
                ),
            ),
            Prefetch("team_memberships", queryset=TeamMember.objects.select_related("team")),
        )
    )


def resident_candidates(compound, *, limit: int = 300):
    """Residents marked 党员 who are not enrolled in a branch yet."""
    enrolled = Member.objects.filter(compound=compound, resident__isnull=False).values(
        "resident_id"
    )
    return (
        Resident.objects.filter(compound=compound, is_party_member=True)
        .exclude(pk__in=enrolled)
        .select_related("household__unit", "household__building")
        .order_by("building_id", "household_id")[:limit]
    )


def staff_candidates(compound, *, limit: int = 100):
    """Active staff not enrolled yet, 党员 first."""
    enrolled = Member.objects.filter(compound=compound, staff__isnull=False).values("staff_id")
    return (
        StaffMember.objects.filter(compound=compound, active=True)
        .exclude(pk__in=enrolled)
        .order_by("-is_party_member", "name")[:limit]
    )


def resident_of(compound, pk):
    return Resident.objects.filter(compound=compound, pk=pk).first()


def staff_of(compound, pk):
    return StaffMember.objects.filter(compound=compound, pk=pk).first()


def member_of(compound, pk):
    return Member.objects.filter(compound=compound, pk=pk).first()


def teams_with_members(user, compound):
    return (
        teams_of(user, compound)
        .select_related("leader")
        .prefetch_related(
            Prefetch("memberships", queryset=TeamMember.objects.select_related("member"))
        )
        .order_by("-starts_on", "id")
    )


def present_members(activity, ids):
    """The branch's active members among ``ids`` (the attendance form's ticks)."""
    return Member.objects.filter(branch=activity.branch, status__in=ACTIVE_STATUSES, pk__in=ids)
