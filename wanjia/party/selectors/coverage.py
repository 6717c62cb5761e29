"""Coverage and figures per compound, and the party's face in other modules
(the 党员 badge, who answers for a building).

Coverage rules (the page says the same to its reader):
- a building is covered when an active member answers for the whole building;
- a household is covered when an active member answers for it, or for its building."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from wanjia.core.models import Building
from wanjia.estates.models import Household

from ..models import ACTIVE_STATUSES, Attendance, Member, Responsibility
from .scoped import active_members


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
