"""Reads of party data, scoped by ``scope_q``; coverage and figures per compound.

Coverage rules (the page says the same to its reader):
- a building is covered when an active member answers for the whole building;
- a household is covered when an active member answers for it, or for its building."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.utils import timezone

from wanjia.core.models import Building, Compound
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import get_or_404, scope_q
from wanjia.estates.models import Household, Resident, StaffMember

from .models import (
    ACTIVE_STATUSES,
    Activity,
    Attendance,
    Branch,
    Member,
    Responsibility,
    Team,
    TeamMember,
)


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


def _active_resp():
    return Responsibility.objects.filter(member__status__in=ACTIVE_STATUSES)


def covered_buildings_q():
    """A condition over Building: an active member answers for it."""
    return Exists(_active_resp().filter(building_id=OuterRef("pk")))


def covered_households_q():
    """A condition over Household: an active member answers for it or for its building."""
    return Exists(_active_resp().filter(household_id=OuterRef("pk"))) | Exists(
        _active_resp().filter(building_id=OuterRef("building_id"))
    )


@dataclass
class Coverage:
    members: int
    buildings: int
    buildings_covered_n: int
    households: int
    households_covered_n: int
    service_hours_month: Decimal
    rows: list = field(default_factory=list)  # per building, for the coverage page

    @property
    def buildings_covered(self) -> float:
        return round(self.buildings_covered_n / self.buildings, 4) if self.buildings else 0.0

    @property
    def households_covered(self) -> float:
        return round(self.households_covered_n / self.households, 4) if self.households else 0.0


def month_start(now: datetime | None = None) -> datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def service_hours_month(compound, now: datetime | None = None) -> Decimal:
    """Hours of attendance at this compound's activities since the 1st of this month."""
    start = month_start(now)
    total = Attendance.objects.filter(
        activity__compound=compound, activity__held_at__gte=start
    ).aggregate(s=Sum("hours"))["s"]
    return total or Decimal("0")


def coverage(compound, *, with_rows: bool = False) -> Coverage:
    buildings = Building.objects.filter(compound=compound)
    households = Household.objects.filter(compound=compound)
    result = Coverage(
        members=active_members(compound).count(),
        buildings=buildings.count(),
        buildings_covered_n=buildings.filter(covered_buildings_q()).count(),
        households=households.count(),
        households_covered_n=households.filter(covered_households_q()).count(),
        service_hours_month=service_hours_month(compound),
    )
    if with_rows:
        result.rows = coverage_rows(compound)
    return result


@dataclass
class BuildingCoverage:
    building: Building
    resps: list  # responsibilities for the whole building
    household_resps: list  # (household, [responsibilities]) for single households
    households: list
    uncovered: list  # households nobody answers for

    @property
    def covered(self) -> bool:
        return bool(self.resps)


def coverage_rows(compound) -> list[BuildingCoverage]:
    """Per building: who answers for it, and which households have nobody."""
    resp = list(
        _active_resp()
        .filter(compound=compound)
        .select_related("member__resident", "member__staff")
        .order_by("member__name", "id")
    )
    by_building: dict[int, list] = {}
    by_household: dict[int, list] = {}
    for r in resp:
        if r.building_id:
            by_building.setdefault(r.building_id, []).append(r)
        else:
            by_household.setdefault(r.household_id, []).append(r)
    per_building: dict[int, list] = {}
    for h in Household.objects.filter(compound=compound).select_related("unit"):
        per_building.setdefault(h.building_id, []).append(h)
    rows = []
    for b in Building.objects.filter(compound=compound):
        hs = per_building.get(b.pk, [])
        whole = by_building.get(b.pk, [])
        rows.append(
            BuildingCoverage(
                building=b,
                resps=whole,
                household_resps=[(h, by_household[h.pk]) for h in hs if h.pk in by_household],
                households=hs,
                uncovered=[] if whole else [h for h in hs if h.pk not in by_household],
            )
        )
    return rows


def badge_user_ids(user_ids) -> set[int]:
    """Of these users, the active party members who show their identity (亮身份).

    Any module can call this once per page to put the 党员 badge on people."""
    ids = {i for i in user_ids if i}
    if not ids:
        return set()
    members = Member.objects.filter(status__in=ACTIVE_STATUSES, show_badge=True).filter(
        Q(resident__user_id__in=ids) | Q(staff__user_id__in=ids)
    )
    found = set()
    for resident_user, staff_user in members.values_list("resident__user_id", "staff__user_id"):
        found.update(u for u in (resident_user, staff_user) if u in ids)
    return found


def responsible_users(building) -> list:
    """Users of active members answering for ``building`` (first in the list first)."""
    resp = (
        _active_resp()
        .filter(building=building)
        .select_related("member__resident__user", "member__staff__user")
        .order_by("id")
    )
    return [r.member.user for r in resp if r.member.user is not None]


# ---- what the party pages show -----------------------------------------------------------


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


def responsibilities_visible_to(user):
    return Responsibility.objects.filter(member__in=members_visible_to(user))


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


# ---- what the party API returns ----------------------------------------------------------


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
