"""Reads of disputes, scoped, and the figures.

Who sees a case (privacy rules of the issue):
- a resident: the cases their household is a party to;
- the building leader: their building's cases; the compound's secretary,
  manager and company admin: the compound's cases; the assigned mediator and
  the person who reported it: that case;
- the regulator: red cases and the cases at community or street level in their
  region (figures for everything, notes only when the case is theirs)."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from wanjia.core.models import Compound
from wanjia.core.roles import CAPABILITIES, Role
from wanjia.core.scoping import can, memberships_of, roles_for, roles_of, scope_q
from wanjia.estates.models import Household
from wanjia.estates.selectors import buildings_visible_to, compounds_visible_to

from . import access
from .models import (
    DONE_STATUSES,
    LEVEL_ORDER,
    OPEN_STATUSES,
    Case,
    CaseParty,
    Category,
    Level,
    Risk,
    Status,
    Sweep,
)


def cases_visible_to(user):
    qs = Case.objects.select_related(
        "compound__community__parent", "compound__company", "building", "mediator"
    )
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(mediator=user) | Q(reported_by=user)
    q |= scope_q(user, roles=access.COMPOUND_MEDIATORS, compound="compound_id")
    q |= scope_q(user, roles={Role.BUILDING_LEADER}, compound="compound_id", building="building_id")
    q |= scope_q(user, roles={Role.REGULATOR}, compound="compound_id") & (
        Q(risk=Risk.RED) | Q(level__in=[Level.COMMUNITY, Level.STREET])
    )
    households = access.party_households_of(user)
    if households:
        q |= Q(pk__in=CaseParty.objects.filter(household_id__in=households).values("case_id"))
    return qs.filter(q)


def open_cases(qs):
    return qs.filter(status__in=OPEN_STATUSES)


def _led_buildings(user) -> list[int]:
    return [
        m.building_id
        for m in memberships_of(user)
        if m.role == Role.BUILDING_LEADER and m.building_id
    ]


def my_cases(user):
    """Open cases waiting on ``user``: assigned to them, or at building level in a
    building they lead."""
    q = Q(mediator=user) | Q(level=Level.BUILDING, building_id__in=_led_buildings(user))
    return open_cases(cases_visible_to(user)).filter(q).order_by("due_at")


def followups_due(user, today: date | None = None):
    """Settled cases of ``user`` (assigned, or in a building they lead) whose
    follow-up visit is due."""
    today = today or timezone.localdate()
    q = Q(mediator=user) | Q(building_id__in=_led_buildings(user))
    return (
        cases_visible_to(user)
        .filter(q, status=Status.RESOLVED, followup_due__lte=today)
        .order_by("followup_due")
    )


def sweeps_visible_to(user):
    return Sweep.objects.filter(
        scope_q(
            user,
            roles=access.LEVEL_ROLES[Level.BUILDING],
            compound="compound_id",
            building="building_id",
        )
    ).select_related("building", "compound", "done_by")


def my_sweeps(user, today: date | None = None):
    """The current and overdue sweeps of the buildings ``user`` leads."""
    today = today or timezone.localdate()
    return (
        sweeps_visible_to(user)
        .filter(building_id__in=_led_buildings(user), period_start__lte=today)
        .filter(Q(done_at__isnull=True) | Q(period_end__gte=today))
        .order_by("done_at", "period_end", "building__sort")
    )


def figure_compounds(user):
    """Compounds whose figures ``user`` may read."""
    roles = CAPABILITIES["disputes.figures"]
    return Compound.objects.filter(scope_q(user, roles=roles, compound="id"))


def _window(since: date | None, until: date | None):
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tz) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, tz) if until else None
    return start, end


def _in_window(qs, field_name: str, start, end):
    if start:
        qs = qs.filter(**{f"{field_name}__gte": start})
    if end:
        qs = qs.filter(**{f"{field_name}__lt": end})
    return qs


@dataclass
class Figures:
    """The headline figures. Rates are None when nothing was resolved."""

    resolved: int
    building_rate: float | None
    compound_rate: float | None
    median_days: float | None
    overdue: int
    open_red: int
    opened: int = 0
    open_now: int = 0
    satisfaction: float | None = None
    open_by_level: dict = field(default_factory=dict)
    by_category: list = field(default_factory=list)

    def as_api(self) -> dict:
        keys = ("resolved", "building_rate", "compound_rate", "median_days", "overdue")
        out = {k: getattr(self, k) for k in keys}
        out.update(
            open_red=self.open_red,
            opened=self.opened,
            open_now=self.open_now,
            satisfaction=self.satisfaction,
            open_by_level=self.open_by_level,
        )
        return out


def figures(
    compounds, *, since: date | None = None, until: date | None = None, now: datetime | None = None
) -> Figures:
    """Figures over ``compounds`` (a queryset) for cases resolved (rates, median)
    or opened (overdue, categories) in [since, until]; open counts are as of now.

    - 小事不出楼栋 = resolved at building level ÷ resolved;
    - 大事不出小区 = resolved at building or compound level ÷ resolved;
    - median days = median of (resolved − opened) in days;
    - overdue = cases that ran past a level's time limit (escalated on timeout)
      or are still open past their deadline."""
    now = now or timezone.now()
    start, end = _window(since, until)
    cases = Case.objects.filter(compound__in=compounds)
    resolved_qs = _in_window(cases.filter(status__in=DONE_STATUSES), "resolved_at", start, end)
    by_level = dict(resolved_qs.values_list("resolved_level").annotate(n=Count("pk")).order_by())
    resolved = sum(by_level.values())
    low = by_level.get(Level.BUILDING, 0)
    mid = low + by_level.get(Level.COMPOUND, 0)
    durations = [
        (r - o).total_seconds() / 86400
        for o, r in resolved_qs.values_list("opened_at", "resolved_at")
    ]
    opened_qs = _in_window(cases, "opened_at", start, end)
    open_qs = cases.filter(status__in=OPEN_STATUSES)
    satisfaction = CaseParty.objects.filter(
        case__in=resolved_qs, satisfaction__isnull=False
    ).aggregate(a=Avg("satisfaction"))["a"]
    return Figures(
        resolved=resolved,
        building_rate=round(low / resolved, 4) if resolved else None,
        compound_rate=round(mid / resolved, 4) if resolved else None,
        median_days=round(statistics.median(durations), 1) if durations else None,
        overdue=opened_qs.filter(
            Q(timeouts__gt=0) | Q(status__in=OPEN_STATUSES, due_at__lt=now)
        ).count(),
        open_red=open_qs.filter(risk=Risk.RED).count(),
        opened=opened_qs.count(),
        open_now=open_qs.count(),
        satisfaction=round(satisfaction, 2) if satisfaction is not None else None,
        open_by_level=dict(open_qs.values_list("level").annotate(n=Count("pk")).order_by()),
        by_category=_by_category(opened_qs, resolved_qs),
    )


def _by_category(opened_qs, resolved_qs) -> list[dict]:
    opened = dict(opened_qs.values_list("category").annotate(n=Count("pk")).order_by())
    resolved = dict(resolved_qs.values_list("category").annotate(n=Count("pk")).order_by())
    low = dict(
        resolved_qs.filter(resolved_level=Level.BUILDING)
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        {
            "category": c.value,
            "label": str(c.label),
            "opened": opened.get(c.value, 0),
            "resolved": resolved.get(c.value, 0),
            "building_rate": round(low.get(c.value, 0) / resolved[c.value], 4)
            if resolved.get(c.value)
            else None,
        }
        for c in Category
    ]


def heat_table(compound, *, since: date | None = None, until: date | None = None) -> dict:
    """Cases opened per building × category (the heat table), with open counts and
    the current period's sweep state per building."""
    start, end = _window(since, until)
    opened = _in_window(Case.objects.filter(compound=compound), "opened_at", start, end)
    cells: dict[tuple, int] = {
        (b, c): n
        for b, c, n in opened.values_list("building_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    }
    open_now = dict(
        Case.objects.filter(compound=compound, status__in=OPEN_STATUSES)
        .values_list("building_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    top = max(cells.values(), default=0)
    today = timezone.localdate()
    sweeps = {
        s.building_id: s
        for s in Sweep.objects.filter(
            compound=compound, period_start__lte=today, period_end__gte=today
        )
    }
    rows = []
    buildings = [(b.pk, b.name) for b in compound.buildings.all()] + [(None, "—")]
    for bid, name in buildings:
        counts = [cells.get((bid, c.value), 0) for c in Category]
        if bid is None and not any(counts):
            continue
        rows.append(
            {
                "building_id": bid,
                "name": name,
                "cells": [{"n": n, "heat": _heat(n, top)} for n in counts],
                "total": sum(counts),
                "open": open_now.get(bid, 0),
                "sweep": sweeps.get(bid),
            }
        )
    return {"categories": list(Category), "rows": rows, "max": top}


def _heat(n: int, top: int) -> int:
    """0–4, for five shades of red."""
    if not n or not top:
        return 0
    return max(1, min(4, round(4 * n / top)))


def sweep_completion(compounds, *, on: date | None = None) -> dict:
    """The sweeps of the period containing ``on``: done ÷ planned."""
    on = on or timezone.localdate()
    current = Sweep.objects.filter(compound__in=compounds, period_start__lte=on, period_end__gte=on)
    total = current.count()
    done = current.filter(done_at__isnull=False).count()
    return {"planned": total, "done": done, "rate": round(done / total, 4) if total else None}


def board(qs, now: datetime | None = None) -> list[dict]:
    """Open cases in columns by level, the closest deadline first."""
    now = now or timezone.now()
    cases = list(open_cases(qs).order_by("due_at"))
    columns = []
    for level in LEVEL_ORDER:
        items = [c for c in cases if c.level == level]
        columns.append(
            {
                "level": level,
                "label": Level(level).label,
                "cases": items,
                "overdue": sum(1 for c in items if c.due_at < now),
            }
        )
    return columns


def time_left(case, now: datetime | None = None) -> dict:
    """How long the case has at its level, as text and a status colour."""
    now = now or timezone.now()
    seconds = (case.due_at - now).total_seconds()
    if seconds < 0:
        return {"status": "overdue", "hours": int(seconds // 3600)}
    return {"status": "due" if seconds < 86400 else "", "hours": int(seconds // 3600)}


def household_cases(user, household):
    """Cases with ``household`` as a party that ``user`` may read, newest first."""
    return (
        cases_visible_to(user)
        .filter(pk__in=CaseParty.objects.filter(household=household).values("case_id"))
        .order_by("-opened_at")
    )


def regulator_compound_rate(compound_ids, start: date, end: date):
    """大事不出小区 over ``compound_ids``: of the cases resolved in [start, end],
    the share resolved at building or compound level (as ``figures``)."""
    window_start, window_end = _window(start, end)
    resolved = _in_window(
        Case.objects.filter(compound_id__in=compound_ids, status__in=DONE_STATUSES),
        "resolved_at",
        window_start,
        window_end,
    )
    by_level = dict(resolved.values_list("resolved_level").annotate(n=Count("pk")).order_by())
    total = sum(by_level.values())
    low = by_level.get(Level.BUILDING, 0) + by_level.get(Level.COMPOUND, 0)
    return round(low / total, 4) if total else None


def regulator_opened(compound_ids, start: date, end: date) -> int:
    """Cases opened in [start, end] in ``compound_ids`` (as ``figures``)."""
    window_start, window_end = _window(start, end)
    return _in_window(
        Case.objects.filter(compound_id__in=compound_ids), "opened_at", window_start, window_end
    ).count()


# ---- what the console and phone pages show ------------------------------------------------


def board_filtered(qs, *, compound=None, building=None, category="", risk=""):
    """The board's filters (they stay in the URL): compound, building, category, risk."""
    if compound:
        qs = qs.filter(compound_id=compound)
    if building:
        qs = qs.filter(building_id=building)
    if category in Category.values:
        qs = qs.filter(category=category)
    if risk in Risk.values:
        qs = qs.filter(risk=risk)
    return qs


def with_parties(qs):
    return qs.prefetch_related("parties")


def recently_settled(qs, *, limit: int = 8) -> list:
    return list(qs.filter(status=Status.RESOLVED).order_by("-resolved_at")[:limit])


def compounds_by_code(user):
    return compounds_visible_to(user).order_by("code")


def intake_buildings(user, compound=None):
    """Buildings a case may be opened in (of one compound when given)."""
    buildings = buildings_visible_to(user).order_by("compound__code", "sort", "name")
    if compound is not None:
        buildings = buildings.filter(compound=compound)
    return buildings


def building_or_none(user, pk):
    return buildings_visible_to(user).filter(pk=pk).first()


def households_in(compound, ids) -> list:
    return list(Household.objects.filter(compound=compound, pk__in=ids))


def building_households(building):
    """A building's households for the party pickers (none without a building)."""
    if building is None:
        return Household.objects.none()
    return Household.objects.filter(building=building).select_related("unit")


def my_households(user):
    """The households ``user`` may report for and follow cases of."""
    return Household.objects.filter(pk__in=access.party_households_of(user)).select_related(
        "building", "unit", "compound"
    )


def my_party_cases(user, *, limit: int = 50):
    """Cases one of ``user``'s households is a party to, latest first."""
    return (
        cases_visible_to(user)
        .filter(parties__household__in=my_households(user))
        .distinct()
        .order_by("-opened_at")[:limit]
    )


def neighbours(home):
    """The other households of ``home``'s building (a resident's other party)."""
    if home is None:
        return Household.objects.none()
    return (
        Household.objects.filter(building=home.building).exclude(pk=home.pk).select_related("unit")
    )


def neighbour(neighbours_qs, pk) -> list:
    return list(neighbours_qs.filter(pk=pk))


def case_page_rows(case) -> tuple[list, list, list]:
    """(sessions, events, parties) of a case, as its page shows them."""
    sessions = list(case.sessions.select_related("mediator"))
    events = list(case.events.select_related("actor", "mediator"))
    parties = list(case.parties.select_related("household__unit", "household__building"))
    return sessions, events, parties


def agreement_parties(case) -> list:
    """The parties of a mediation agreement, each household with its owners' names
    (the owners sign for a household)."""
    parties = list(case.parties.select_related("household", "company"))
    for p in parties:
        p.owner_names = (
            [r.name for r in p.household.residents.filter(relation="owner")]
            if p.household_id
            else []
        )
    return parties


def first_party_branch(compound):
    return compound.party_branches.first()


def mediator_names(case) -> list[str]:
    """Everyone who mediated the case, sessions first, once each."""
    names = [s.mediator.name for s in case.sessions.select_related("mediator") if s.mediator_id]
    if case.mediator_id:
        names.append(case.mediator.name)
    return list(dict.fromkeys(names))


def only_compound(compounds, compound):
    """``compounds`` narrowed to ``compound`` (the figures page of one compound)."""
    return compounds.filter(pk=compound.pk)


def compounds_by_code_of(compounds):
    return compounds.order_by("code")


def red_cases(user, compounds):
    """The open red-risk cases of ``compounds``, the closest deadline first."""
    return (
        open_cases(cases_visible_to(user))
        .filter(compound__in=compounds, risk=Risk.RED)
        .order_by("due_at", "pk")
    )


def compound_ranking(compounds, since) -> list[dict]:
    """One row per compound (at most 200), best 小事不出楼栋 rate first: the
    region view's drill-down."""
    shown = list(compounds.order_by("code")[:200])
    by_id = figures_by_compound(compounds.filter(pk__in=[c.pk for c in shown]), since=since)
    rows = [{"compound": c, "f": by_id[c.pk]} for c in shown]
    rows.sort(key=lambda r: (r["f"].building_rate is None, -(r["f"].building_rate or 0)))
    return rows


def configurable_compounds(user, *, limit: int = 200) -> list:
    """Compounds whose dispute policy ``user`` may change."""
    return [
        c
        for c in compounds_visible_to(user).order_by("code")[:limit]
        if can(user, "disputes.configure", compound=c)
    ]


def current_sweeps(user, *, compound=None, today: date | None = None):
    """The sweeps of the period running today (of one compound when given)."""
    today = today or timezone.localdate()
    current = sweeps_visible_to(user).filter(period_start__lte=today, period_end__gte=today)
    if compound:
        current = current.filter(compound_id=compound)
    return current


def plannable_compounds(user, current, *, limit: int = 50) -> list:
    """Compounds ``user`` may plan sweeps for that have none this period."""
    if not roles_of(user) & access.COMPOUND_MEDIATORS:
        return []
    return [
        c
        for c in compounds_visible_to(user).order_by("code")[:limit]
        if roles_for(user, compound=c) & access.COMPOUND_MEDIATORS
        and not current.filter(compound=c).exists()
    ]


def sweeps_in_order(sweeps) -> list:
    return list(sweeps.order_by("compound__code", "building__sort", "building_id"))


def sweeps_completion(sweeps) -> dict:
    """Done ÷ planned over the sweeps the user sees (their building, or all)."""
    planned = sweeps.count()
    done = sweeps.filter(done_at__isnull=False).count()
    return {"planned": planned, "done": done, "rate": done / planned if planned else None}


# ---- what the API returns -----------------------------------------------------------------


def own_compound(user):
    """The compound of ``user``'s own household (a resident reporting), or None."""
    own = Household.objects.filter(pk__in=access.party_households_of(user)).first()
    return own.compound if own is not None else None


def only_visible_compound(user):
    """The one compound ``user`` sees (a building leader, a one-compound manager), or None."""
    visible = compounds_visible_to(user)
    return visible.first() if visible.count() == 1 else None


def cases_listed(user, *, mine=False, open=None, **fields):
    """The API's case list: ``fields`` (compound, building, level, status, risk,
    category) narrow it when not None; ``open`` picks open or done cases."""
    qs = my_cases(user) if mine else cases_visible_to(user)
    for name, value in fields.items():
        if value is not None:
            qs = qs.filter(**{f"{name}_id" if name in ("compound", "building") else name: value})
    if open is not None:
        qs = open_cases(qs) if open else qs.filter(status__in=DONE_STATUSES)
    return qs.prefetch_related("parties").order_by("-opened_at", "-id")


def case_sessions(case):
    return case.sessions.select_related("mediator")


def case_events(case):
    return case.events.select_related("actor", "mediator")


def figure_compound(allowed, compound):
    """``allowed`` narrowed to ``compound``, or None when it is not among them."""
    narrowed = allowed.filter(pk=compound.pk)
    return narrowed if narrowed.exists() else None


def sweeps_listed(user, *, mine=False, compound=None, current=True):
    qs = my_sweeps(user) if mine else sweeps_visible_to(user)
    if compound is not None:
        qs = qs.filter(compound_id=compound)
    if current and not mine:
        today = timezone.localdate()
        qs = qs.filter(period_start__lte=today, period_end__gte=today)
    return qs.order_by("-period_start", "building__sort", "building_id")


def _per_compound(rows) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for cid, key, n in rows:
        out.setdefault(cid, {})[key] = n
    return out


def regulator_opened_many(groups, start: date, end: date) -> list[int]:
    """``regulator_opened`` for every group of compounds, in one grouped query."""
    window_start, window_end = _window(start, end)
    every = {cid for ids in groups for cid in ids}
    by_compound = dict(
        _in_window(
            Case.objects.filter(compound_id__in=every), "opened_at", window_start, window_end
        )
        .order_by()
        .values_list("compound_id")
        .annotate(n=Count("pk"))
    )
    return [sum(by_compound.get(cid, 0) for cid in ids) for ids in groups]


def regulator_compound_rate_many(groups, start: date, end: date) -> list:
    """``regulator_compound_rate`` for every group (a rate over all the group's
    cases, not a mean of its compounds' rates), in one grouped query."""
    window_start, window_end = _window(start, end)
    every = {cid for ids in groups for cid in ids}
    resolved = _in_window(
        Case.objects.filter(compound_id__in=every, status__in=DONE_STATUSES),
        "resolved_at",
        window_start,
        window_end,
    )
    by_compound = _per_compound(
        resolved.order_by().values_list("compound_id", "resolved_level").annotate(n=Count("pk"))
    )
    answers = []
    for ids in groups:
        levels = [by_compound.get(cid, {}) for cid in ids]
        total = sum(sum(lv.values()) for lv in levels)
        low = sum(lv.get(Level.BUILDING, 0) + lv.get(Level.COMPOUND, 0) for lv in levels)
        answers.append(round(low / total, 4) if total else None)
    return answers


def figures_by_compound(
    compounds, *, since: date | None = None, until: date | None = None, now: datetime | None = None
) -> dict[int, Figures]:
    """The ranking's headline figures (resolved, both rates, median days, overdue,
    open red) of each compound of ``compounds``, keyed by id, by the same
    definitions as ``figures()`` — in four grouped queries however many
    compounds there are (the region view asked ``figures()`` once per compound)."""
    now = now or timezone.now()
    start, end = _window(since, until)
    cases = Case.objects.filter(compound__in=compounds).order_by()
    resolved_qs = _in_window(cases.filter(status__in=DONE_STATUSES), "resolved_at", start, end)
    by_level: dict[int, dict] = {}
    durations: dict[int, list] = {}
    for cid, level, opened_at, resolved_at in resolved_qs.values_list(
        "compound_id", "resolved_level", "opened_at", "resolved_at"
    ):
        levels = by_level.setdefault(cid, {})
        levels[level] = levels.get(level, 0) + 1
        durations.setdefault(cid, []).append((resolved_at - opened_at).total_seconds() / 86400)
    overdue = dict(
        _in_window(cases, "opened_at", start, end)
        .filter(Q(timeouts__gt=0) | Q(status__in=OPEN_STATUSES, due_at__lt=now))
        .values_list("compound_id")
        .annotate(n=Count("pk"))
    )
    open_red = dict(
        cases.filter(status__in=OPEN_STATUSES, risk=Risk.RED)
        .values_list("compound_id")
        .annotate(n=Count("pk"))
    )
    out = {}
    for cid in compounds.values_list("pk", flat=True):
        levels = by_level.get(cid, {})
        resolved = sum(levels.values())
        low = levels.get(Level.BUILDING, 0)
        mid = low + levels.get(Level.COMPOUND, 0)
        spans = durations.get(cid)
        out[cid] = Figures(
            resolved=resolved,
            building_rate=round(low / resolved, 4) if resolved else None,
            compound_rate=round(mid / resolved, 4) if resolved else None,
            median_days=round(statistics.median(spans), 1) if spans else None,
            overdue=overdue.get(cid, 0),
            open_red=open_red.get(cid, 0),
        )
    return out
