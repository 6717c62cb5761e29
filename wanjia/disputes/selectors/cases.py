"""Reads of cases, scoped: who sees a case (see the package's docstring), the board, my
work, the case page and the phone's lists."""

from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from wanjia.core.roles import Role
from wanjia.core.scoping import memberships_of, scope_q
from wanjia.estates.models import Household
from wanjia.estates.selectors import buildings_visible_to, compounds_visible_to

from .. import access
from ..models import (
    DONE_STATUSES,
    LEVEL_ORDER,
    OPEN_STATUSES,
    Case,
    CaseParty,
    Category,
    Level,
    Risk,
    Status,
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
