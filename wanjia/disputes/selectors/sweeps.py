"""Reads of screening sweeps (常态化排查): who sees them, this period's and the ones to plan."""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from wanjia.core.scoping import roles_for, roles_of, scope_q
from wanjia.estates.selectors import compounds_visible_to

from .. import access
from ..models import (
    Level,
    Sweep,
)
from .cases import _led_buildings


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


def sweep_completion(compounds, *, on: date | None = None) -> dict:
    """The sweeps of the period containing ``on``: done ÷ planned."""
    on = on or timezone.localdate()
    current = Sweep.objects.filter(compound__in=compounds, period_start__lte=on, period_end__gte=on)
    total = current.count()
    done = current.filter(done_at__isnull=False).count()
    return {"planned": total, "done": done, "rate": round(done / total, 4) if total else None}


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


def sweeps_listed(user, *, mine=False, compound=None, current=True):
    qs = my_sweeps(user) if mine else sweeps_visible_to(user)
    if compound is not None:
        qs = qs.filter(compound_id=compound)
    if current and not mine:
        today = timezone.localdate()
        qs = qs.filter(period_start__lte=today, period_end__gte=today)
    return qs.order_by("-period_start", "building__sort", "building_id")
