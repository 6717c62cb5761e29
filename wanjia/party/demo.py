"""Demo data of the party layer: a branch per compound (two small compounds
share one), members drawn from the residents and staff the registry flags as
party members, their buildings and households (some buildings deliberately
left with nobody, so the coverage view has something to show), a vanguard
team per compound, a shock team in the demo compound, and three months of
activities with attendance.

Idempotent: a compound that already belongs to a branch is left alone.
Deterministic: one ``random.Random`` per compound, seeded with its code."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from wanjia.core.models import Membership, User
from wanjia.core.roles import Role
from wanjia.core.services import membership_grant
from wanjia.demo.constants import DEMO_COMPOUND_CODE
from wanjia.estates.models import Building, Compound, Household, Resident, StaffMember
from wanjia.estates.services import pinyin_keys

from .models import (
    Activity,
    ActivityKind,
    Attendance,
    Branch,
    BranchRole,
    Campaign,
    Member,
    MemberStatus,
    Responsibility,
    Team,
    TeamKind,
    TeamMember,
)

SEED = "wanjia-party-demo"
MAX_COMPOUNDS = 12
UNCOVERED_SHARE = 0.15  # about one building in seven has no member answering for it
PER_BUILDING = 3


def load(*, stdout) -> None:
    compounds = list(Compound.objects.filter(code__startswith="QX-").order_by("code"))
    todo = [c for c in compounds[:MAX_COMPOUNDS] if not c.party_branches.exists()]
    if not todo:
        stdout.write("party: demo branches already there")
        return
    counts = {"branches": 0, "members": 0, "teams": 0, "activities": 0}
    joint = _joint_pairs(todo, counts)
    for compound in todo:
        branch = joint.get(compound.pk) or _branch(compound, counts)
        if joint.get(compound.pk):
            branch.compounds.add(compound)
        _populate(compound, branch, random.Random(f"{SEED}:{compound.code}"), counts)
    stdout.write(
        "party: {branches} branches, {members} members, {teams} teams, "
        "{activities} activities".format(**counts)
    )


def _joint_pairs(compounds, counts) -> dict[int, Branch]:
    """Every fifth compound after the first two shares its predecessor's branch
    (a 联合党支部 of two small compounds); returns compound id → shared branch,
    filled in as the predecessors' branches are made."""
    shared: dict[int, Branch] = {}
    for i, c in enumerate(compounds):
        if i >= 2 and i % 5 == 4:
            prev = compounds[i - 1]
            branch = Branch.objects.create(name=f"{prev.name}{c.name}联合党支部")
            branch.compounds.add(prev)
            counts["branches"] += 1
            shared[prev.pk] = branch
            shared[c.pk] = branch
    return shared


def _branch(compound, counts) -> Branch:
    branch = Branch.objects.create(name=f"{compound.name}党支部")
    branch.compounds.add(compound)
    counts["branches"] += 1
    return branch


def _populate(compound, branch, rng, counts) -> None:
    accounts = _account_members(compound, branch) if compound.code == DEMO_COMPOUND_CODE else []
    members = accounts + _members(compound, branch, rng, first_role=1 if accounts else 0)
    counts["members"] += len(members)
    # the buildings the demo accounts live in always have their member
    _responsibilities(compound, members, rng, keep={m.resident.building_id for m in accounts})
    counts["teams"] += _teams(compound, branch, members, rng)
    counts["activities"] += _activities(compound, branch, members, rng)
    _mediator_accounts(compound)


def _account_members(compound, branch) -> list[Member]:
    """The demo's party secretary and building leader are party members who
    live in the compound (the leader in the building they lead), so their work
    shows the 党员 badge: each gets a resident record under their own name."""
    made = []
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["party_secretary", "building_leader"])
    }
    for username, role in (
        ("party_secretary", BranchRole.SECRETARY),
        ("building_leader", BranchRole.COMMITTEE),
    ):
        user = users.get(username)
        if user is None or Resident.objects.filter(user=user).exists():
            continue
        led = Membership.objects.filter(user=user, role=Role.BUILDING_LEADER).first()
        building = led.building if led else compound.buildings.order_by("sort", "name").first()
        resident = _move_in(user, building)
        made.append(
            Member.objects.create(
                branch=branch, compound=compound, resident=resident, name=resident.name, role=role
            )
        )
    return made


def _move_in(user, building) -> Resident:
    """A resident record for ``user``: owner of an empty flat in ``building``, or
    family in the first one (with the keys the estates services compute)."""
    empty = Household.objects.filter(building=building, residents__isnull=True).order_by("id")
    household = empty.first() or Household.objects.filter(building=building).order_by("id").first()
    name = user.display_name or user.username
    resident = Resident(
        household=household,
        building_id=household.building_id,
        compound_id=household.compound_id,
        user=user,
        name=name,
        relation="owner" if household in empty else "family",
        phone=user.phone or "",
        is_party_member=True,
    )
    resident.name_pinyin, resident.name_initials = pinyin_keys(name)
    resident.save()
    return resident


def _mediator_accounts(compound) -> None:
    """The members answering for a building mediate its small disputes, so they
    need an account: one per such member without one, as a resident of their
    own household, with no usable password until they set one."""
    resps = Responsibility.objects.filter(
        compound=compound,
        building__isnull=False,
        member__resident__isnull=False,
        member__resident__user__isnull=True,
    ).select_related("member__resident__household")
    for resp in resps:
        resident = resp.member.resident
        if resident.user_id:  # the same member answers for two buildings
            continue
        user = User(username=f"pm-{resident.pk}", display_name=resident.name)
        user.set_unusable_password()
        user.save()
        Resident.objects.filter(pk=resident.pk).update(user=user)
        resident.user_id = user.pk
        membership_grant(actor=None, user=user, role=Role.RESIDENT, node=resident.household)


def _members(compound, branch, rng, first_role: int = 0) -> list[Member]:
    """Up to PER_BUILDING flagged residents per building, and the party
    members among the staff; roles are handed out from ``first_role`` on (the
    first is the branch secretary unless a demo account already is)."""
    residents = []
    for b in Building.objects.filter(compound=compound).order_by("sort", "name"):
        flagged = list(
            Resident.objects.filter(building=b, is_party_member=True)
            .exclude(party_memberships__branch=branch)
            .order_by("id")[:PER_BUILDING]
        )
        residents.extend(flagged)
    staff = list(StaffMember.objects.filter(compound=compound, is_party_member=True, active=True))
    rows = []
    for i, person in enumerate(residents + staff):
        is_resident = isinstance(person, Resident)
        roll = rng.random()
        rows.append(
            Member(
                branch=branch,
                compound=compound,
                resident=person if is_resident else None,
                staff=None if is_resident else person,
                name=person.name,
                role=_role(i + first_role),
                status=MemberStatus.TRANSFERRED
                if roll < 0.03
                else (MemberStatus.PROBATIONARY if roll < 0.08 else MemberStatus.FULL),
                show_badge=rng.random() < 0.95,
                joined_on=timezone.localdate() - timedelta(days=rng.randint(400, 15000)),
            )
        )
    return Member.objects.bulk_create(rows)


def _role(i: int) -> str:
    if i == 0:
        return BranchRole.SECRETARY
    if i == 1:
        return BranchRole.DEPUTY
    return BranchRole.COMMITTEE if i < 5 else BranchRole.MEMBER


def _responsibilities(compound, members, rng, keep=frozenset()) -> None:
    """A member for most buildings; the rest get nobody, except a few single
    households (the elderly living alone first) looked after one by one."""
    active = [m for m in members if m.status != MemberStatus.TRANSFERRED]
    if not active:
        return
    rows = []
    for b in Building.objects.filter(compound=compound).order_by("sort", "name"):
        local = [m for m in active if m.resident_id and m.resident.building_id == b.pk]
        if rng.random() < UNCOVERED_SHARE and b.pk not in keep:
            alone = Household.objects.filter(building=b, residents__lives_alone=True).distinct()
            for h in alone.order_by("id")[:2]:
                rows.append(
                    Responsibility(member=rng.choice(active), compound=compound, household=h)
                )
            continue
        rows.append(
            Responsibility(
                member=local[0] if local else rng.choice(active), compound=compound, building=b
            )
        )
    Responsibility.objects.bulk_create(rows, ignore_conflicts=True)


def _teams(compound, branch, members, rng) -> int:
    active = [m for m in members if m.status != MemberStatus.TRANSFERRED]
    if len(active) < 2:
        return 0
    today = timezone.localdate()
    specs = [("党员先锋队", TeamKind.VANGUARD, Campaign.NIGHT_PATROL, "夜间巡逻，每周两晚")]
    if compound.code == DEMO_COMPOUND_CODE:
        specs.append(
            ("防汛党员突击队", TeamKind.SHOCK, Campaign.FLOOD_WATCH, "汛期值守地下车库、泵房")
        )
        specs.append(
            ("战疫保供突击队", TeamKind.SHOCK, Campaign.EPIDEMIC_SUPPLY, "分拣配送、独居老人送菜")
        )
    for name, kind, campaign, duty in specs:
        crew = rng.sample(active, min(len(active), rng.randint(4, 8)))
        team = Team.objects.create(
            branch=branch,
            compound=compound,
            name=f"{compound.name}{name}",
            kind=kind,
            campaign=campaign,
            leader=crew[0],
            duty=duty,
            starts_on=today - timedelta(days=rng.randint(20, 200)),
        )
        TeamMember.objects.bulk_create(
            [
                TeamMember(team=team, member=m, duty="队长" if i == 0 else "")
                for i, m in enumerate(crew)
            ]
        )
    return len(specs)


ACTIVITIES = [
    ("主题党日：学习党的二十大精神", ActivityKind.THEME_DAY),
    ("“我为群众办实事”志愿服务日", ActivityKind.SERVICE_DAY),
    ("楼道清理与消防通道整治", ActivityKind.SERVICE_DAY),
    ("独居老人走访慰问", ActivityKind.SERVICE_DAY),
    ("党课：红色物业与基层治理", ActivityKind.STUDY),
    ("主题党日：重温入党誓词", ActivityKind.THEME_DAY),
]


def _activities(compound, branch, members, rng) -> int:
    """One activity about every two weeks over the last three months (and one
    earlier this month, so "this month's service hours" is never empty)."""
    active = [m for m in members if m.status != MemberStatus.TRANSFERRED]
    if not active:
        return 0
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    days = sorted({rng.randint(0, today.day - 1), *rng.sample(range(today.day, 90), 6)})
    made = 0
    for n, back in enumerate(days):
        title, kind = ACTIVITIES[n % len(ACTIVITIES)]
        day = today - timedelta(days=back)
        activity = Activity.objects.create(
            branch=branch,
            compound=compound,
            title=title,
            kind=kind,
            held_at=datetime.combine(day, time(9 if kind != ActivityKind.SERVICE_DAY else 14), tz),
            place=rng.choice(["党群服务中心", "小区广场", "物业活动室"]),
        )
        crowd = rng.sample(active, max(1, int(len(active) * rng.uniform(0.5, 0.9))))
        hours = Decimal("2") if kind != ActivityKind.SERVICE_DAY else Decimal("3")
        Attendance.objects.bulk_create(
            [Attendance(activity=activity, member=m, hours=hours) for m in crowd]
        )
        made += 1
    return made
