"""Reads of registry data, always scoped to what the user may see."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from wanjia.core import pii
from wanjia.core.jobs import jobs_visible_to
from wanjia.core.models import Building, Company, Compound, Region
from wanjia.core.pages import CONSOLE_ROLES
from wanjia.core.scoping import NOT_FOUND, get_or_404, scope_q  # noqa: F401  (re-exported)

from .figures import elderly_alone_q, figures_by_building, figures_by_compound
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


# ---- the console's reads: narrowed to the user's console roles -------------------------
# A user who is a resident somewhere and staff elsewhere sees only the staff side
# on the console. The console pages and the console search box (search.py) share these.


def console_compounds(user):
    return compounds_visible_to(user).filter(scope_q(user, roles=CONSOLE_ROLES, compound="id"))


def console_buildings(user):
    return buildings_visible_to(user).filter(
        scope_q(user, roles=CONSOLE_ROLES, compound="compound_id", building="id")
    )


def console_households(user):
    return households_visible_to(user).filter(
        scope_q(
            user,
            roles=CONSOLE_ROLES,
            compound="compound_id",
            building="building_id",
            household="id",
        )
    )


def console_residents(user):
    return residents_visible_to(user).filter(
        scope_q(
            user,
            roles=CONSOLE_ROLES,
            compound="compound_id",
            building="building_id",
            household="household_id",
        )
    )


def region_or_none(raw):
    """The region a list is narrowed to. The lists are scoped already, so a region
    outside the user's scope only narrows to nothing."""
    raw = str(raw or "")
    return Region.objects.filter(pk=int(raw)).first() if raw.isdigit() else None


def companies_of(compounds):
    """The companies running ``compounds`` (the compound list's company filter)."""
    return Company.objects.filter(pk__in=compounds.values("company_id")).order_by("name")


def compounds_filtered(compounds, *, q="", kind="", company=None, region=None):
    """The compound list's filters, by name or code, kind, company and region."""
    if q:
        compounds = compounds.filter(Q(name__contains=q) | Q(code__icontains=q))
    if kind:
        compounds = compounds.filter(kind=kind)
    if company:
        compounds = compounds.filter(company_id=company)
    if region is not None:
        compounds = compounds.filter(community__path__startswith=region.path)
    return compounds.order_by("code")


def compound_figures(pks) -> dict:
    """``figures_by_compound`` for these compound ids (already checked by the caller)."""
    return figures_by_compound(Compound.objects.filter(pk__in=list(pks)))


def building_figures(buildings) -> dict:
    return figures_by_building(buildings)


def one_building_figures(user, building):
    return figures_by_building(console_buildings(user).filter(pk=building.pk))[building.pk]


def compound_buildings(user, compound):
    """The console's buildings of one compound, in their order."""
    return console_buildings(user).filter(compound=compound).order_by("sort", "name")


def compound_staff(compound, *, duty: str = ""):
    """The compound's staff with their duties (``duty`` narrows), active first."""
    staff = compound.staff.prefetch_related("duties").order_by("-active", "name")
    if duty:
        staff = staff.filter(duties__duty=duty)
    return staff


def building_households(user, building):
    """The building's households with their residents, 独居老人 and 党员 counted,
    unit by unit from the top floor down."""
    return (
        console_households(user)
        .filter(building=building)
        .annotate(
            n=Count("residents"),
            alone=Count("residents", filter=elderly_alone_q("residents__")),
            party=Count("residents", filter=Q(residents__is_party_member=True)),
        )
        .order_by("unit__name", "-floor", "room")
    )


def household_residents(household):
    return household.residents.order_by("id")


RESIDENT_FLAGS = {
    "elderly_alone": lambda: elderly_alone_q(),
    "alone_no_contact": lambda: elderly_alone_q() & Q(emergency_contacts=[]),
    "no_phone": lambda: Q(phone=""),
    "party": lambda: Q(is_party_member=True),
}


def residents_flagged(residents, *, flag: str = "", region=None):
    """The resident finder's filters: a flag of ``RESIDENT_FLAGS`` and a region."""
    if flag in RESIDENT_FLAGS:
        residents = residents.filter(RESIDENT_FLAGS[flag]())
    if region is not None:
        residents = residents.filter(compound__community__path__startswith=region.path)
    return residents.select_related("household__building")


def residents_in_finder_order(residents):
    return residents.order_by("compound__code", "building__sort", "household__room", "id")


def compound_buildings_for_export(user, compound):
    return buildings_visible_to(user).filter(compound=compound)


def import_jobs(user, compound, *, kind: str, limit: int = 10):
    """The latest import jobs of ``compound`` that ``user`` may see."""
    return (
        jobs_visible_to(user)
        .filter(kind=kind, compound=compound)
        .order_by("-created_at", "-id")[:limit]
    )


# ---- the API's reads ---------------------------------------------------------------------


def compounds_listed(user):
    """The API's compound list: every compound ``user`` reaches, with counts, by code."""
    return compounds_visible_to(user, with_counts=True).order_by("code", "id")


def compound_buildings_counted(user, compound):
    return (
        buildings_visible_to(user, with_counts=True)
        .filter(compound=compound)
        .order_by("sort", "name", "id")
    )


def residents_of_household(household):
    return household.residents.select_related("household").order_by("id")


def residents_for_api(user, *, compound=None, building=None, lives_alone=None):
    """The API's resident list before the search text, by id. A compound or
    building outside what ``user`` may see answers 404 (as a missing one)."""
    qs = residents_visible_to(user)
    if compound is not None:
        get_or_404(compounds_visible_to(user, roles=viewers()), pk=compound)
        qs = qs.filter(compound_id=compound)
    if building is not None:
        get_or_404(buildings_visible_to(user, roles=viewers()), pk=building)
        qs = qs.filter(building_id=building)
    if lives_alone is not None:
        qs = qs.filter(lives_alone=lives_alone)
    return qs.order_by("id")
