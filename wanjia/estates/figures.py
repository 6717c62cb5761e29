"""Counts shown on the console home, the compound page and the regulator's view
(the registry's figures: they count households, residents and staff).

One definition per figure (its 口径), so that a number on the regulator's home and
the same number on a compound page can never disagree. Counting is grouped by
compound in a handful of queries, however many compounds a region holds."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanjia.core.models import Building

from .models import Household, RegistryTally, Resident, StaffMember

ELDERLY_AGE = 60

# How each figure is computed, shown beside it on the pages.
NOTES = {
    "companies": _("在该区域内管理至少一个小区的物业企业数。"),
    "compounds": _("该区域内登记在册的小区数。"),
    "buildings": _("登记在册的楼栋数。"),
    "households": _("登记在册的住户（房屋）数，不论是否有人居住。"),
    "residents": _("登记在册的居民人数（业主、租户和家庭成员）。"),
    "elderly_alone": _("标记为独居、且年满60周岁的居民；未填出生日期的独居居民也计入，以免漏管。"),
    # 居民党员: residents the registry marks as party members. Not the same count
    # as 在册党员 (the party branch's register, on the party pages): each page
    # names which one it shows.
    "party_residents": _("居民党员：居民档案中登记为党员的居民人数（不含员工）。"),
}


def elderly_cutoff(today: date | None = None) -> date:
    """The latest birth date of someone who is ELDERLY_AGE today (local time)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - ELDERLY_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ELDERLY_AGE, day=28)


def elderly_alone_q(prefix: str = "") -> Q:
    """Residents counted as 独居老人 (see NOTES["elderly_alone"])."""
    return Q(**{f"{prefix}lives_alone": True}) & (
        Q(**{f"{prefix}birth_date__lte": elderly_cutoff()})
        | Q(**{f"{prefix}birth_date__isnull": True})
    )


@dataclass
class Figures:
    compounds: int = 0
    buildings: int = 0
    households: int = 0
    residents: int = 0
    elderly_alone: int = 0
    party_residents: int = 0
    party_staff: int = 0
    company_ids: set = field(default_factory=set)

    @property
    def party(self) -> int:
        return self.party_residents + self.party_staff

    @property
    def companies(self) -> int:
        return len(self.company_ids)

    def add(self, other: "Figures") -> None:
        for name in ("compounds", *TALLIED):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.company_ids |= other.company_ids


def figures_by_compound(compounds) -> dict[int, Figures]:
    """Figures of each compound of the ``compounds`` queryset, keyed by its id."""
    out: dict[int, Figures] = defaultdict(Figures)
    for c in compounds.values("pk", "company_id"):
        f = out[c["pk"]]
        f.compounds = 1
        if c["company_id"]:
            f.company_ids = {c["company_id"]}
    ids = compounds.values("pk")
    for row in _grouped(Building.objects.filter(compound__in=ids)):
        out[row["compound_id"]].buildings = row["n"]
    for row in _grouped(Household.objects.filter(compound__in=ids)):
        out[row["compound_id"]].households = row["n"]
    residents = _grouped(
        Resident.objects.filter(compound__in=ids),
        alone=Count("pk", filter=elderly_alone_q()),
        party=Count("pk", filter=Q(is_party_member=True)),
    )
    for row in residents:
        f = out[row["compound_id"]]
        f.residents, f.elderly_alone, f.party_residents = row["n"], row["alone"], row["party"]
    staff = StaffMember.objects.filter(compound__in=ids, active=True, is_party_member=True)
    for row in _grouped(staff):
        out[row["compound_id"]].party_staff = row["n"]
    return dict(out)


def figures_by_building(buildings) -> dict[int, Figures]:
    """Households, residents, elderly living alone and party members per building."""
    out: dict[int, Figures] = {b: Figures() for b in buildings.values_list("pk", flat=True)}
    ids = buildings.values("pk")
    for row in _grouped(Household.objects.filter(building__in=ids), key="building_id"):
        out[row["building_id"]].households = row["n"]
    residents = _grouped(
        Resident.objects.filter(building__in=ids),
        key="building_id",
        alone=Count("pk", filter=elderly_alone_q()),
        party=Count("pk", filter=Q(is_party_member=True)),
    )
    for row in residents:
        f = out[row["building_id"]]
        f.residents, f.elderly_alone, f.party_residents = row["n"], row["alone"], row["party"]
    return out


def _grouped(queryset, key: str = "compound_id", **extra):
    return queryset.order_by().values(key).annotate(n=Count("pk"), **extra)


TALLIED = (
    "buildings",
    "households",
    "residents",
    "elderly_alone",
    "party_residents",
    "party_staff",
)


def tallied_by_compound(compounds) -> dict[int, Figures]:
    """``figures_by_compound`` read from the stored tallies (``RegistryTally``):
    a row per compound whatever its size. Compounds without a tally for today
    are counted now and their tallies stored, so the result is always the
    live count of each compound as of its last committed change."""
    today = timezone.localdate()
    out: dict[int, Figures] = {}
    for pk, company_id in compounds.order_by().values_list("pk", "company_id"):
        out[pk] = Figures(compounds=1, company_ids={company_id} if company_id else set())
    stored = RegistryTally.objects.filter(
        compound__in=compounds.order_by().values("pk"), counted_on=today
    ).values_list("compound_id", *TALLIED)
    found = set()
    for pk, *counts in stored:
        if pk in out:
            for name, value in zip(TALLIED, counts, strict=True):
                setattr(out[pk], name, value)
            found.add(pk)
    missing = [pk for pk in out if pk not in found]
    if missing:
        out.update(tally_refresh(missing))
    return out


def tallied_by_community(compounds) -> dict[int, tuple[str, Figures]]:
    """The stored tallies of ``compounds`` added up per community, in the
    database: ``{community id: (its path, Figures)}``. One grouped statement
    (compounds joined to today's tallies), a row per community and company,
    so a whole city's page reads a few hundred rows, not one per resident.
    Compounds without today's tally are counted and the statement repeated."""
    rows = _grouped_tallies(compounds, "community_id", "community__path", "company_id")
    out: dict[int, tuple[str, Figures]] = {}
    for row in rows:
        _path, f = out.setdefault(row["community_id"], (row["community__path"], Figures()))
        f.compounds += row["n"]
        for name in TALLIED:
            setattr(f, name, getattr(f, name) + (row[name] or 0))
        if row["company_id"]:
            f.company_ids.add(row["company_id"])
    return out


def _grouped_tallies(compounds, *keys) -> list[dict]:
    """Today's stored tallies of ``compounds`` summed per ``keys`` in one
    statement (``n`` compounds a row); compounds without today's tally are
    counted and stored first, and the statement repeated."""
    from django.db.models import FilteredRelation, Sum

    today = timezone.localdate()
    grouped = (
        compounds.order_by()
        .annotate(
            fresh=FilteredRelation("registry_tally", condition=Q(registry_tally__counted_on=today))
        )
        .values(*keys)
        .annotate(
            n=Count("pk"),
            missing=Count("pk", filter=Q(fresh__compound_id__isnull=True)),
            **{name: Sum(f"fresh__{name}") for name in TALLIED},
        )
    )
    rows = list(grouped)
    if any(row["missing"] for row in rows):
        missing = compounds.order_by().exclude(registry_tally__counted_on=today)
        tally_refresh(list(missing.values_list("pk", flat=True)))
        rows = list(grouped.all())
    return rows


def tallied_by_child(compounds, node) -> tuple[dict[int, Figures], Figures]:
    """The stored tallies of ``compounds`` (all under region ``node``) added
    up per child region of ``node``, in the database, and the area's total:
    a row per child (ten districts for a city), however many compounds and
    communities the area holds (bench-city: adding up five hundred
    communities' rows in Python was a third of the regulator's home at a
    million households). Compounds without today's tally are counted and
    the statement repeated, as in :func:`tallied_by_community`."""
    from django.db.models import Value
    from django.db.models.functions import StrIndex, Substr

    rest = Substr("community__path", len(node.path) + 1)
    head = Substr(rest, 1, StrIndex(rest, Value("/")) - 1)
    rows = _grouped_tallies(compounds.annotate(head=head), "head")
    per_child: dict[int, Figures] = {}
    area = Figures()
    for row in rows:
        f = Figures(compounds=row["n"], **{name: row[name] or 0 for name in TALLIED})
        area.add(f)
        if row["head"].isdigit():
            per_child[int(row["head"])] = f
    area.company_ids = set(
        compounds.order_by()
        .exclude(company_id=None)
        .values_list("company_id", flat=True)
        .distinct()
    )
    return per_child, area


def tallied_total(compounds) -> Figures:
    """The stored tallies of ``compounds`` added up (as the regulator's home
    adds them): a few hundred rows for a whole city, not its residents."""
    result = Figures()
    for _path, f in tallied_by_community(compounds).values():
        result.add(f)
    return result


def tally_refresh(compound_ids=None, chunk: int = 200) -> dict[int, Figures]:
    """Count these compounds (all when ``None``) and store their tallies;
    returns the figures counted. Chunked so the nightly recount of a city
    holds no long transaction."""
    from wanjia.core.models import Compound

    if compound_ids is None:
        compound_ids = list(Compound.objects.order_by("pk").values_list("pk", flat=True))
    today, now = timezone.localdate(), timezone.now()
    out: dict[int, Figures] = {}
    ids = list(compound_ids)
    for start in range(0, len(ids), chunk):
        counted = figures_by_compound(Compound.objects.filter(pk__in=ids[start : start + chunk]))
        RegistryTally.objects.bulk_create(
            [
                RegistryTally(
                    compound_id=pk,
                    counted_on=today,
                    counted_at=now,
                    **{name: getattr(f, name) for name in TALLIED},
                )
                for pk, f in counted.items()
            ],
            update_conflicts=True,
            unique_fields=["compound"],
            update_fields=[*TALLIED, "counted_on", "counted_at"],
        )
        out.update(counted)
    return out


def tally_forget(compound_id) -> None:
    """Drop a compound's tally (its registry changed): the next read recounts it."""
    if compound_id:
        RegistryTally.objects.filter(compound_id=compound_id).delete()


def total(figures: dict[int, Figures]) -> Figures:
    result = Figures()
    for f in figures.values():
        result.add(f)
    return result
