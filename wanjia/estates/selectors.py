"""Reads of registry data, always scoped to what the user may see."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from wanjia.core import pii
from wanjia.core.models import Building, Compound
from wanjia.core.scoping import NOT_FOUND, get_or_404, scope_q  # noqa: F401  (re-exported)

from .figures import elderly_alone_q
from .models import Household, Resident


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


def _may(user, capability: str) -> Q:
    """Residents whose scope gives ``user`` ``capability`` (a role may hold it in
    one compound and not in another)."""
    from wanjia.core.roles import CAPABILITIES

    return scope_q(
        user,
        roles=CAPABILITIES[capability],
        compound="compound_id",
        building="building_id",
        household="household_id",
    )


def _name_q(text: str) -> Q:
    cond = Q(name__contains=text)
    lowered = text.lower().replace(" ", "")
    if lowered.isascii() and lowered.isalpha():
        cond |= Q(name_pinyin__startswith=lowered) | Q(name_initials__startswith=lowered)
    return cond


def resident_search(queryset, q: str, *, user) -> tuple:
    """(residents, identifier): name, full pinyin or initials ("zw" / "zhangwei"
    finds 张伟), room, "name digits" ("张伟 5678"), a phone tail, or a whole ID
    number (matched through its keyed hash: the column is encrypted).
    ``identifier`` is "phone" or "id_number" when the search could match on one
    (the caller audits those), else "".

    What a search may match on follows what the role may see, so that search
    cannot rebuild what masking hides: a phone tail longer than four digits, or
    a tail without a name, matches only where ``user`` keeps the registry
    (``estates.search_by_phone``); elsewhere the last four digits (which the
    mask shows anyway) narrow a name and nothing more. An ID number matches only
    where ``user`` may reveal ID numbers (``pii.reveal_id``)."""
    q = (q or "").strip()
    if not q:
        return queryset, ""
    name, _sep, tail = q.rpartition(" ")
    if name.strip() and tail.isdigit():
        return _name_and_digits(queryset, name.strip(), tail, user)
    cond = _name_q(q)
    identifier = ""
    if len(q) == 18 and pii.id_number_error(q) is None:
        cond |= Q(id_number_hash=pii.lookup_hash(q)) & _may(user, "pii.reveal_id")
        identifier = "id_number"
    if q.isdigit():
        if len(q) >= 4:
            cond |= Q(phone__endswith=q) & _may(user, "estates.search_by_phone")
            identifier = identifier or "phone"
        cond |= Q(household__room=q)
    if "-" in q:  # "3栋-1单元-301" or "3栋-301"
        parts = q.split("-")
        cond |= Q(household__room=parts[-1], building__name=parts[0])
    return queryset.filter(cond), identifier


def _name_and_digits(queryset, name: str, digits: str, user) -> tuple:
    """ "张伟 5678": the name, and the digits as a room or a phone tail."""
    cond = Q(household__room=digits)
    identifier = ""
    if len(digits) >= 4:
        phone = Q(phone__endswith=digits)
        cond |= phone if len(digits) == 4 else phone & _may(user, "estates.search_by_phone")
        identifier = "phone"
    return queryset.filter(_name_q(name) & cond), identifier


def masked_query(q: str) -> str:
    """The search text as the audit log keeps it: digit runs of four or more
    show their last four only, an ID number its mask."""
    import re

    q = (q or "").strip()
    if len(q) == 18 and pii.id_number_error(q) is None:
        return pii.mask_id_number(q)
    return re.sub(r"[0-9]{5,}", lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], q)
