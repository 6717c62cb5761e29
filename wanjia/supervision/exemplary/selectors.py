"""Scoped reads of exemplary cases. The authority sees the cases of the
compounds its region holds; a company's or compound's nominators see their
compounds' cases (whoever nominated them); the public sees published cases
only. Anything else is a 404, like a missing id."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from wanjia.core import evidence
from wanjia.core.models import Compound
from wanjia.core.roles import Role
from wanjia.core.scoping import get_or_404, scope_q

from .access import NOMINATORS
from .models import CaseStatus, ExemplaryCase

RECENT_DAYS = 365
PICK_LIMIT = 100


def reviewable(user):
    return ExemplaryCase.objects.filter(
        scope_q(user, roles={Role.REGULATOR}, compound="compound_id")
    ).select_related("compound", "company", "nominated_by")


def mine(user):
    """The cases of the compounds the user nominates for."""
    return ExemplaryCase.objects.filter(
        scope_q(user, roles=NOMINATORS | {Role.REGULATOR}, compound="compound_id")
    ).select_related("compound", "company")


def review_or_404(user, pk) -> ExemplaryCase:
    return get_or_404(reviewable(user), pk=pk)


def mine_or_404(user, pk) -> ExemplaryCase:
    return get_or_404(mine(user), pk=pk)


def published():
    return (
        ExemplaryCase.objects.filter(status=CaseStatus.PUBLISHED)
        .select_related("compound", "company")
        .prefetch_related("photos")
        .order_by("-published_at", "-id")
    )


def published_or_404(pk) -> ExemplaryCase:
    return get_or_404(published(), pk=pk)


def filtered(qs, *, status="", q=""):
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(people__icontains=q) | Q(compound__name__icontains=q)
        )
    return qs


def pickable(user, *, kind: str = "") -> list:
    """Recent records of the user's compounds, from every registered source
    (or one), newest first, each marked when it is already nominated."""
    ids = list(
        Compound.objects.filter(
            scope_q(user, roles=NOMINATORS | {Role.REGULATOR}, compound="id")
        ).values_list("pk", flat=True)
    )
    if not ids:
        return []
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    rows = []
    for key, source in sorted(evidence.sources().items()):
        if kind and key != kind:
            continue
        rows += [(source.label, r) for r in source.recent(ids, since)]
    rows.sort(key=lambda x: (x[1].happened_on, x[1].id), reverse=True)
    rows = rows[:PICK_LIMIT]
    taken = set(
        ExemplaryCase.objects.filter(source_key__in=[r.key for _l, r in rows])
        .exclude(status=CaseStatus.REJECTED)
        .values_list("source_key", flat=True)
    )
    return [{"source": label, "record": r, "taken": r.key in taken} for label, r in rows]
