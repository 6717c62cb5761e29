"""Screening sweeps: planning them per period and recording them done."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.scoping import roles_for

from .. import access
from ..models import (
    Level,
    Sweep,
    SweepPeriod,
)
from .common import _text, policy_for

# ---------------------------------------------------------------- sweeps


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The week (Monday–Sunday) or calendar month containing ``day``."""
    if period == SweepPeriod.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def sweeps_plan(*, compound, on: date | None = None) -> int:
    """Create this period's sweep for every building of ``compound`` (idempotent)."""
    on = on or timezone.localdate()
    start, end = period_bounds(policy_for(compound).sweep_period, on)
    rows = [
        Sweep(compound=compound, building=b, period_start=start, period_end=end)
        for b in compound.buildings.all()
    ]
    before = Sweep.objects.filter(compound=compound, period_start=start).count()
    Sweep.objects.bulk_create(rows, ignore_conflicts=True)
    return Sweep.objects.filter(compound=compound, period_start=start).count() - before


def sweeps_plan_all(*, on: date | None = None) -> int:
    from wanjia.core.models import Compound

    return sum(sweeps_plan(compound=c, on=on) for c in Compound.objects.all().iterator())


def can_sweep(actor, sweep: Sweep) -> bool:
    held = roles_for(actor, compound=sweep.compound, building_id=sweep.building_id)
    return bool(held & access.LEVEL_ROLES[Level.BUILDING])


def sweep_complete(*, actor, sweep: Sweep, note: str = "") -> Sweep:
    """Record "nothing found" for a building's sweep (a sweep that finds
    something is completed by opening a case from it)."""
    if not can_sweep(actor, sweep):
        raise PermissionDenied
    note = _text(note, "note", _("排查说明"), 500, required=False)
    with transaction.atomic():
        changed = Sweep.objects.filter(pk=sweep.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=actor, found_nothing=True, note=note
        )
        if not changed:
            raise ValidationError({"sweep": _("该楼栋本期排查已完成。")})
        sweep.refresh_from_db()
        audit(
            actor=actor,
            action="disputes.sweep.completed",
            obj=sweep,
            compound=sweep.compound,
            detail={"found_nothing": True},
        )
    return sweep
