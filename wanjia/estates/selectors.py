"""Reads of registry data, always scoped to what the user may see."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from wanjia.core import pii
from wanjia.core.scoping import NOT_FOUND, get_or_404, scope_q  # noqa: F401  (re-exported)

from .figures import elderly_alone_q
from .models import Building, Compound, Household, Resident


def _count(model, field: str, *conditions, **filters):
    sub = (
        model.objects.filter(*conditions, **{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
    )
    return Coalesce(
        Subquery(sub.annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField()), 0
    )


def compounds_visible_to(user, *, with_counts: bool = False, roles=None):
    """Compounds any membership of ``user`` reaches (only those of ``roles`` when given)."""
    qs = Compound.objects.filter(scope_q(user, roles=roles, compound="id")).select_related(
        "company", "community"
    )
    if with_counts:
        qs = qs.annotate(
            building_count=_count(Building, "compound"),
            household_count=_count(Household, "compound"),
            resident_count=_count(Resident, "compound"),
            # 独居老人 as the pages count them (figures.NOTES["elderly_alone"])
            alone_count=_count(Resident, "compound", elderly_alone_q()),
        )
    return qs


def buildings_visible_to(user, *, with_counts: bool = False, roles=None):
    qs = Building.objects.filter(
        scope_q(user, roles=roles, compound="compound_id", building="id")
    ).select_related("compound")
    if with_counts:
        qs = qs.annotate(
            household_count=_count(Household, "building"),
            resident_count=_count(Resident, "building"),
            alone_count=_count(Resident, "building", elderly_alone_q()),
        )
    return qs


def households_visible_to(user):
    q = scope_q(
        user, roles=_viewers(), compound="compound_id", building="building_id", household="id"
    )
    return Household.objects.filter(q).select_related("unit", "building", "compound")


def residents_visible_to(user):
    q = scope_q(
        user,
        roles=_viewers(),
        compound="compound_id",
        building="building_id",
        household="household_id",
    )
    return Resident.objects.filter(q).select_related(
        "household", "household__unit", "building", "compound"
    )


def viewers():
    """The roles that may see households and residents (masked)."""
    from wanjia.core.roles import CAPABILITIES

    return CAPABILITIES["estates.view_residents"]


_viewers = viewers


def resident_search(queryset, q: str):
    """Name, full pinyin or initials ("zw" / "zhangwei" finds 张伟), phone tail, room,
    or a whole ID number (matched through its keyed hash: the column is encrypted)."""
    q = (q or "").strip()
    if not q:
        return queryset
    lowered = q.lower().replace(" ", "")
    cond = Q(name__contains=q)
    if len(q) == 18 and pii.id_number_error(q) is None:
        cond |= Q(id_number_hash=pii.lookup_hash(q))
    if lowered.isascii() and lowered.isalpha():
        cond |= Q(name_pinyin__startswith=lowered) | Q(name_initials__startswith=lowered)
    if q.isdigit():
        if len(q) >= 4:
            cond |= Q(phone__endswith=q)
        cond |= Q(household__room=q)
    if "-" in q:  # "3栋-1单元-301" or "3栋-301"
        parts = q.split("-")
        cond |= Q(household__room=parts[-1], building__name=parts[0])
    return queryset.filter(cond)
