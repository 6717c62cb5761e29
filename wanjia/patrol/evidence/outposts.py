"""Reads of outposts and their shifts, and how much of each outpost's staffing hours
the shifts covered."""

from collections import defaultdict
from datetime import date, timedelta

from django.utils import timezone

from wanjia.core.models import Membership, User
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import scope_q

from ..models import (
    Outpost,
    OutpostShift,
)
from ..services.outposts import staffed_window
from .intervals import clip, gaps_in, merge, minutes, nights_window


def outposts_visible_to(user):
    return Outpost.objects.filter(scope_q(user, compound="compound_id")).select_related("compound")


def compound_outposts(user, compound):
    """A compound's outposts (the console's list)."""
    return outposts_visible_to(user).filter(compound=compound)


def outpost_rows():
    """What the outpost gate (views.outposts) fetches."""
    return Outpost.objects.select_related("compound")


def outpost_shift_rows():
    """What the shift gate (views.outposts) fetches."""
    return OutpostShift.objects.select_related("outpost__compound")


def staff_of(compound):
    """The people who may stand at an outpost: the compound's patrol roles."""
    ids = Membership.objects.filter(
        compound_id=compound.pk, role__in=CAPABILITIES["patrol.patrol"]
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username")


def shifts_from(outpost, night: date, days: int = 14):
    """The outpost's shifts of the ``days`` nights from ``night`` on."""
    lo, hi = nights_window(night, night + timedelta(days=days - 1))
    return (
        OutpostShift.objects.filter(outpost=outpost, ends_at__gt=lo, starts_at__lt=hi)
        .select_related("user")
        .order_by("starts_at")
    )


def _cover_of(outposts, first: date, last: date, now) -> dict:
    """Per outpost and night: required minutes (up to ``now``), staffed minutes
    and the gaps. ``{outpost_id: [night rows]}``."""
    outposts = list(outposts)
    lo, hi = nights_window(first, last)
    shifts = defaultdict(list)
    for s in OutpostShift.objects.filter(
        outpost__in=outposts,
        starts_at__lt=hi + timedelta(days=1),
        ends_at__gt=lo - timedelta(days=1),
    ).values("outpost_id", "starts_at", "ends_at"):
        shifts[s["outpost_id"]].append((s["starts_at"], s["ends_at"]))
    out = {}
    for outpost in outposts:
        rows = []
        night = first
        while night <= last:
            start, end = staffed_window(outpost, night)
            end = min(end, now)
            if end > start:
                covered = merge(clip(shifts[outpost.pk], start, end))
                gaps = gaps_in((start, end), covered)
                rows.append(
                    {
                        "night": night,
                        "required": minutes([(start, end)]),
                        "staffed": minutes(covered),
                        "gaps": gaps,
                    }
                )
            night += timedelta(days=1)
        out[outpost.pk] = rows
    return out


def cover(compound_ids, first: date, last: date, now=None) -> dict:
    """Outpost cover over the nights ``first``..``last``: required and staffed
    minutes, the share (None when nothing was required) and the gap count,
    with one row per outpost."""
    now = now or timezone.now()
    outposts = list(
        Outpost.objects.filter(compound_id__in=compound_ids, active=True).order_by(
            "compound_id", "name", "id"
        )
    )
    per = _cover_of(outposts, first, last, now)
    rows = []
    for o in outposts:
        nights = per[o.pk]
        required = sum(n["required"] for n in nights)
        staffed = sum(n["staffed"] for n in nights)
        rows.append(
            {
                "outpost": o,
                "required": required,
                "staffed": staffed,
                "share": staffed / required if required else None,
                "required_h": round(required / 60, 1),
                "staffed_h": round(staffed / 60, 1),
                "gaps": sum(len(n["gaps"]) for n in nights),
                "gap_list": [(n["night"], g) for n in nights for g in n["gaps"]],
            }
        )
    required = sum(r["required"] for r in rows)
    staffed = sum(r["staffed"] for r in rows)
    return {
        "required": required,
        "staffed": staffed,
        "share": staffed / required if required else None,
        "gaps": sum(r["gaps"] for r in rows),
        "rows": rows,
    }
