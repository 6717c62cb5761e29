"""Demo data of disputes: three months of screening sweeps and a few hundred
cases over the last 90 days, at every level and in every status, so the board,
the figures and the heat table look like a real compound's.

Each case is simulated from the day it was opened: it waits at its level,
climbs when a mediator escalates it or its time limit runs out, and is settled
(or is still open today). The rows are written directly, with the values the
services would have written along the way (levels, deadlines, the timeline),
because the services stamp "now" and history cannot be entered that way.

Idempotent: a compound that already has cases is left alone. Deterministic: one
``random.Random`` per compound, seeded with its code; dates are relative to
today so the demo always looks current."""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from wanjia.core.models import Membership, User
from wanjia.core.roles import Role
from wanjia.demo.constants import DEMO_COMPOUND_CODE
from wanjia.estates.models import Building, Compound, Household

from . import access
from .models import (
    Case,
    CaseEvent,
    CaseParty,
    Category,
    EventKind,
    Level,
    Risk,
    Session,
    Source,
    Status,
    Sweep,
    next_level,
)
from .services import period_bounds, policy_for

SEED = "wanjia-disputes-demo"
MAX_COMPOUNDS = 8
CASES_DEMO_COMPOUND = 120
CASES_PER_COMPOUND = 40
DAYS = 90

CATEGORY_WEIGHTS = {
    Category.NOISE: 22,
    Category.LEAK: 18,
    Category.PARKING: 16,
    Category.PETS: 10,
    Category.RENOVATION: 10,
    Category.SHARED_SPACE: 9,
    Category.FEES: 6,
    Category.SERVICE: 5,
    Category.OTHER: 4,
}
SUMMARIES = {
    Category.NOISE: [
        "{a}反映{b}夜间拖动桌椅、跳绳，影响老人休息",
        "{a}与{b}因晚间广场舞音响音量发生争执",
    ],
    Category.LEAK: [
        "{b}卫生间漏水，渗到{a}厨房顶棚，墙皮脱落",
        "{a}空调冷凝水滴到{b}阳台，多次沟通未果",
    ],
    Category.PARKING: ["{a}的固定车位被{b}长期占用", "{a}与{b}因电动车在楼道充电、停放发生争执"],
    Category.PETS: ["{b}的狗在楼道便溺不清理，{a}多次投诉", "{b}家犬只夜间吠叫，{a}要求拴养"],
    Category.RENOVATION: [
        "{b}装修周末施工噪音大、建筑垃圾堆放楼道",
        "{b}装修拆改承重墙，{a}担心安全",
    ],
    Category.SHARED_SPACE: ["{b}在楼道堆放杂物占用消防通道", "{b}在绿地私搭菜园，{a}反映"],
    Category.FEES: ["{a}对公摊水电费分摊有异议，拒缴物业费", "{a}认为电梯维修费分摊不合理"],
    Category.SERVICE: ["{a}反映保洁不及时、垃圾清运晚", "{a}反映报修后维修人员三天未上门"],
    Category.OTHER: ["{a}与{b}因晾晒衣物滴水发生口角", "{a}与{b}因门口监控朝向发生争执"],
}
RESOLUTIONS = [
    "双方当面沟通，{b}承诺整改，{a}表示谅解",
    "楼栋长上门协调，双方达成一致，按约定时间处理完毕",
    "经调解，由{b}承担维修费用，{a}配合入户维修",
    "党员调解员组织双方协商，签订调解协议，问题已解决",
]
NOTES = [
    "分别上门了解情况，双方情绪较激动，约定次日当面协商。",
    "现场查看，确认问题属实，向双方说明相关规定。",
    "组织双方在党群服务中心面对面协商，达成初步意向。",
]


@dataclass
class Story:
    """One simulated case: where it went and when."""

    opened: datetime
    steps: list = field(default_factory=list)  # (at, from, to, timed_out)
    sessions: list = field(default_factory=list)  # (at, level)
    resolved: datetime | None = None
    level: str = Level.BUILDING
    level_since: datetime | None = None
    timeouts: int = 0


def load(*, stdout) -> None:
    compounds = list(Compound.objects.filter(code__startswith="QX-").order_by("code"))
    todo = [c for c in compounds[:MAX_COMPOUNDS] if not Case.objects.filter(compound=c).exists()]
    if not todo:
        stdout.write("disputes: demo cases already there")
        return
    total = 0
    for compound in todo:
        rng = random.Random(f"{SEED}:{compound.code}")
        sweeps = _sweeps(compound, rng)
        total += _cases(compound, rng, sweeps)
    stdout.write(f"disputes: {total} cases in {len(todo)} compounds, with sweeps")


# ---------------------------------------------------------------- sweeps


def _sweeps(compound, rng) -> dict:
    """This period's and the two before: older ones nearly all done, the current
    one about half. Returns (building id, period start) → Sweep."""
    policy = policy_for(compound)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    leader_of = _leaders(compound)
    rows = []
    start, _end = period_bounds(policy.sweep_period, today)
    periods = []
    for _ in range(3):
        periods.append(period_bounds(policy.sweep_period, start))
        start = start - timedelta(days=1)
        start, _end = period_bounds(policy.sweep_period, start)
    for p_start, p_end in periods:
        current = p_start <= today <= p_end
        for b in Building.objects.filter(compound=compound):
            done = rng.random() < (0.5 if current else 0.92)
            last = min(p_end, today)
            at = min(
                timezone.now(),
                datetime.combine(
                    p_start + timedelta(days=rng.randint(0, (last - p_start).days)), time(10), tz
                ),
            )
            rows.append(
                Sweep(
                    compound=compound,
                    building=b,
                    period_start=p_start,
                    period_end=p_end,
                    done_at=at if done else None,
                    done_by=leader_of.get(b.pk) if done else None,
                    found_nothing=done,
                )
            )
    Sweep.objects.bulk_create(rows, ignore_conflicts=True)
    return {(s.building_id, s.period_start): s for s in Sweep.objects.filter(compound=compound)}


def _leaders(compound) -> dict[int, User]:
    rows = Membership.objects.filter(
        role=Role.BUILDING_LEADER, compound=compound, building__isnull=False
    ).select_related("user")
    return {m.building_id: m.user for m in rows}


# ---------------------------------------------------------------- cases


def _cases(compound, rng, sweeps) -> int:
    buildings = list(Building.objects.filter(compound=compound).order_by("sort", "name"))
    if not buildings:
        return 0
    households = {
        b.pk: list(Household.objects.filter(building=b).select_related("unit")) for b in buildings
    }
    # The demo resident's household takes part only in its three planned cases,
    # so what that account sees does not depend on the random draws of the day.
    planned = [f for f in (_forced(compound, i) for i in range(3)) if f]
    reserved = {f["home"].pk for f in planned}
    for rows in households.values():
        rows[:] = [h for h in rows if h.pk not in reserved]
    n = CASES_DEMO_COMPOUND if compound.code == DEMO_COMPOUND_CODE else CASES_PER_COMPOUND
    made = 0
    for i in range(n):
        forced = planned[i] if i < len(planned) else _forced(compound, i)
        made += _one_case(compound, rng, buildings, households, sweeps, forced)
    return made


# (days since opened, levels climbed) of the demo compound's cases still open
# today, so the board has work in every column
OPEN_PLANS = [
    (0.4, 0), (1.0, 0), (2.2, 0), (0.8, 0), (4.0, 1), (5.5, 1),
    (7.5, 1), (9.0, 2), (14.0, 2), (18.0, 2), (25.0, 3), (35.0, 3),
]  # fmt: skip


def _forced(compound, i: int) -> dict | None:
    """The demo compound's planned cases: the demo resident's own (one open, one
    settled waiting for their rating, one closed), then a dozen still open."""
    if compound.code != DEMO_COMPOUND_CODE:
        return None
    if 3 <= i < 3 + len(OPEN_PLANS):
        days_ago, climb = OPEN_PLANS[i - 3]
        return {"days_ago": days_ago, "climb": climb, "resolve_after": 10_000}
    if i > 2:
        return None
    resident = User.objects.filter(username="resident").first()
    home = (
        Membership.objects.filter(user=resident, role=Role.RESIDENT)
        .select_related("household")
        .first()
        if resident
        else None
    )
    if home is None:
        return None
    mine = {"home": home.household, "user": resident, "risk": Risk.BLUE}
    return [
        {**mine, "category": Category.LEAK, "days_ago": 1.2, "climb": 0, "resolve_after": 5.0},
        {**mine, "category": Category.NOISE, "days_ago": 5.5, "climb": 0, "resolve_after": 2.0,
         "no_rating": True},
        {**mine, "category": Category.PARKING, "days_ago": 40, "climb": 1, "resolve_after": 3.0,
         "risk": Risk.YELLOW},
    ][i]  # fmt: skip


def _weighted(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _one_case(compound, rng, buildings, households, sweeps, forced) -> int:
    now = timezone.now()
    forced = forced or {}
    category = forced.get("category") or _weighted(rng, CATEGORY_WEIGHTS)
    risk = forced.get("risk") or _weighted(rng, {Risk.BLUE: 74, Risk.YELLOW: 21, Risk.RED: 5})
    home = forced.get("home")
    building = home.building if home else (rng.choice(buildings) if rng.random() < 0.92 else None)
    parties = _parties(rng, building, households, home, category)
    company = category in (Category.FEES, Category.SERVICE) or not parties
    opened = now - timedelta(days=forced.get("days_ago", rng.uniform(0.1, DAYS)))
    case = Case(
        compound=compound,
        building=building,
        category=category,
        risk=risk,
        opened_at=opened,
        reported_by=forced.get("user"),
    )
    start = Level.COMPOUND if risk == Risk.RED or building is None else Level.BUILDING
    if start == Level.BUILDING and access.pick_mediator(case, Level.BUILDING) is None:
        start = Level.COMPOUND
    story = _simulate(rng, compound, opened, start, now, forced)
    _fill(case, rng, story, parties, company, now, forced)
    case.summary = _text(rng, SUMMARIES[category], parties, company)
    case.source, case.sweep = _source(rng, case, sweeps, forced)
    case.save()
    _write_children(case, rng, story, parties, company, now, forced)
    return 1


def _parties(rng, building, households, home, category) -> list:
    if building is None:
        return []
    pool = households[building.pk]
    picks = rng.sample(
        pool, min(len(pool), 1 if category in (Category.FEES, Category.SERVICE) else 2)
    )
    return ([home] + picks[:1]) if home else picks


def _simulate(rng, compound, opened, level, now, forced) -> Story:
    """Walk the case through its levels until it is settled or it is today."""
    policy = policy_for(compound)
    climbs = forced.get("climb")
    if climbs is None:
        weights = [84, 13, 2.2, 0.8] if level == Level.BUILDING else [82, 14, 4]
        climbs = rng.choices(range(len(weights)), weights=weights)[0]
    story = Story(opened=opened, level=level, level_since=opened)
    at = opened
    for _ in range(climbs):
        limit = policy.days_for(story.level)
        timed_out = rng.random() < 0.5
        stay = (
            timedelta(days=limit, minutes=rng.randint(1, 5))
            if timed_out
            else timedelta(days=rng.uniform(0.3, limit * 0.8))
        )
        if at + stay > now or next_level(story.level) is None:
            break
        if not timed_out:
            story.sessions.append((at + stay * 0.5, story.level))
        at += stay
        story.steps.append((at, story.level, next_level(story.level), timed_out))
        story.timeouts += timed_out
        story.level, story.level_since = next_level(story.level), at
    limit = policy.days_for(story.level)
    settle = timedelta(days=forced.get("resolve_after", rng.uniform(0.2, limit * 0.9)))
    sessions = rng.randint(1, 3)
    for k in range(sessions):
        when = at + settle * (k + 1) / (sessions + 1)
        if when < now:
            story.sessions.append((when, story.level))
    if at + settle < now:
        story.resolved = at + settle
    return story


def _fill(case, rng, story, parties, company, now, forced) -> None:
    policy = policy_for(case.compound)
    case.level = story.level
    case.level_since = story.level_since
    case.due_at = story.level_since + timedelta(days=policy.days_for(story.level))
    case.timeouts = story.timeouts
    case.mediator = access.pick_mediator(case, story.level)
    if story.resolved is None:
        case.status = Status.MEDIATING if story.sessions else Status.PENDING
        return
    case.resolved_at = story.resolved
    case.resolved_level = story.level
    case.resolution = _text(rng, RESOLUTIONS, parties, company)
    if rng.random() < 0.6:
        case.agreement = (
            "一、" + case.resolution + "。\n二、双方今后互相体谅，如再有问题先找楼栋长沟通。"
        )
    due = timezone.localdate(story.resolved) + timedelta(days=policy.followup_days)
    case.followup_due = due
    followed = (
        due <= timezone.localdate(now) and rng.random() < 0.85 and not forced.get("no_rating")
    )
    case.status = Status.CLOSED if followed else Status.RESOLVED
    if followed:
        tz = timezone.get_current_timezone()
        case.followed_up_at = min(now, datetime.combine(due, time(10), tz))
        case.followup_note = "回访当事人，协议已履行，双方关系缓和。"


def _text(rng, templates, parties, company) -> str:
    labels = [f"{h.unit.name}{h.room}住户" for h in parties] or ["业主"]
    a = labels[0]
    b = labels[1] if len(labels) > 1 else ("物业公司" if company else "邻居")
    return rng.choice(templates).format(a=a, b=b)


def _source(rng, case, sweeps, forced):
    if forced.get("user"):
        return Source.RESIDENT, None
    if case.building_id and rng.random() < 0.18:
        start, _end = period_bounds(
            policy_for(case.compound).sweep_period, timezone.localdate(case.opened_at)
        )
        sweep = sweeps.get((case.building_id, start))
        if sweep is not None:
            return Source.SWEEP, sweep
    return _weighted(rng, {Source.LEADER: 40, Source.RESIDENT: 40, Source.STAFF: 20}), None


def _write_children(case, rng, story, parties, company, now, forced) -> None:
    rows = [CaseParty(case=case, household=h, label=h.label) for h in parties]
    if company:
        rows.append(
            CaseParty(
                case=case, company_id=case.compound.company_id, label=case.compound.company.name
            )
        )
    CaseParty.objects.bulk_create(rows)
    events = [
        CaseEvent(
            case=case,
            at=story.opened,
            kind=EventKind.OPENED,
            actor=forced.get("user"),
            to_level=story.steps[0][1] if story.steps else story.level,
            mediator=None,
        )
    ]
    for at, old, new, timed_out in story.steps:
        events.append(
            CaseEvent(
                case=case,
                at=at,
                kind=EventKind.TIMED_OUT if timed_out else EventKind.ESCALATED,
                from_level=old,
                to_level=new,
                reason=f"{Level(old).label}层级超过时限"
                if timed_out
                else "双方分歧较大，需上一级协调",
            )
        )
    sessions = [
        Session(
            case=case,
            level=level,
            held_at=at,
            place="党群服务中心",
            attendees="双方当事人、楼栋长",
            notes=rng.choice(NOTES),
            mediator=case.mediator,
        )
        for at, level in sorted(story.sessions)
    ]
    Session.objects.bulk_create(sessions)
    events += [
        CaseEvent(
            case=case, at=s.held_at, kind=EventKind.SESSION, to_level=s.level, actor=case.mediator
        )
        for s in sessions
    ]
    if case.resolved_at:
        events.append(
            CaseEvent(
                case=case,
                at=case.resolved_at,
                kind=EventKind.RESOLVED,
                to_level=case.resolved_level,
                actor=case.mediator,
            )
        )
        _ratings(case, rng, now, forced, events)
    if case.followed_up_at:
        events.append(
            CaseEvent(
                case=case,
                at=case.followed_up_at,
                kind=EventKind.FOLLOWED_UP,
                to_level=case.level,
                actor=case.mediator,
            )
        )
    if case.sweep_id and case.sweep.done_at is None:
        Sweep.objects.filter(pk=case.sweep_id).update(done_at=case.opened_at, found_nothing=False)
    elif case.sweep_id:
        Sweep.objects.filter(pk=case.sweep_id).update(found_nothing=False)
    CaseEvent.objects.bulk_create(sorted(events, key=lambda e: e.at))


def _ratings(case, rng, now, forced, events) -> None:
    if forced.get("no_rating"):
        return
    for party in case.parties.all():
        if rng.random() > 0.7:
            continue
        score = _weighted(rng, {5: 45, 4: 35, 3: 12, 2: 5, 1: 3})
        at = min(now, case.resolved_at + timedelta(days=rng.uniform(0.5, 5)))
        CaseParty.objects.filter(pk=party.pk).update(satisfaction=score, rated_at=at)
        events.append(
            CaseEvent(case=case, at=at, kind=EventKind.RATED, reason=f"{party.label}: {score}")
        )
