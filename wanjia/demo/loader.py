"""Writes the planned city into the database, fast.

Rows go in through ``bulk_create`` in batches, but every derived value is the
one the estates services would compute (pinyin keys, ID lookup hash, household
code, region path, the denormalized building/compound ids), so the demo data are
indistinguishable from data entered through the pages. ``EncryptedTextField``
encrypts in ``get_prep_value``, which ``bulk_create`` goes through, so ID numbers
and health notes land as ciphertext."""

import random
import time
from collections import Counter
from decimal import Decimal
from functools import cache

from django.db import transaction

from wanjia.core import pii
from wanjia.core.audit import audit
from wanjia.core.models import Building, Company, Compound, Region
from wanjia.estates.models import Household, Resident, StaffDuty, StaffMember, Unit
from wanjia.estates.services import household_code, pinyin_keys, region_create

from . import accounts, city, names, people

BATCH = 2000

# duty -> (fewest, most) staff with it per compound; the large public-rental
# compound gets twice as many.
STAFF_PER_DUTY = {
    "patrol": (2, 4),
    "courier": (1, 3),
    "market": (1, 2),
    "caretaker": (1, 2),
    "repair": (1, 2),
}


def is_loaded() -> bool:
    """The city's region code marks a loaded demo: one indexed lookup."""
    return Region.objects.filter(code=city.CITY_CODE).exists()


@cache
def _pinyin(name: str) -> tuple[str, str]:
    return pinyin_keys(name)  # names repeat a lot; pypinyin is the slow part


class CityLoader:
    def __init__(self, scale: city.Scale, log):
        self.scale = scale
        self.log = log  # a callable taking one line
        self.registry = people.Registry()
        self.counts: Counter = Counter()
        self.started = time.perf_counter()

    def _progress(self, message: str) -> None:
        self.log(f"  [{time.perf_counter() - self.started:5.1f}s] {message}")

    def run(self) -> Counter:
        """Load the whole base city in one transaction: all of it or nothing."""
        with transaction.atomic():
            root, communities = self._regions()
            companies = self._companies(root)
            compounds = self._compounds(communities, companies)
            for compound, spec in compounds:
                self._compound_contents(compound, spec)
            self._staff([c for c, _ in compounds])
            made = accounts.create_accounts(registry=self.registry, log=self._progress)
            self.counts["accounts"] = len(made)
            audit(
                actor=None,
                action="demo.city.loaded",
                detail={"scale": self.scale.name, **self.counts},
            )
        return self.counts

    # -- the tree above the compounds -------------------------------------------------

    def _regions(self) -> tuple[Region, list[Region]]:
        """City, districts, streets, communities through ``region_create`` (few rows),
        so their paths are built exactly as the service builds them."""
        root = region_create(actor=None, kind="city", name=city.CITY_NAME, code=city.CITY_CODE)
        communities = []
        for district_name, dcode, streets in city.DISTRICTS:
            district = region_create(
                actor=None,
                kind="district",
                name=district_name,
                code=f"{city.CITY_CODE}-{dcode}",
                parent=root,
            )
            for s, (street_name, community_names) in enumerate(streets, 1):
                street = region_create(
                    actor=None,
                    kind="street",
                    name=street_name,
                    code=f"{district.code}-{s:02d}",
                    parent=district,
                )
                for c, community_name in enumerate(community_names, 1):
                    communities.append(
                        region_create(
                            actor=None,
                            kind="community",
                            name=community_name,
                            code=f"{street.code}-{c:02d}",
                            parent=street,
                        )
                    )
        self.counts["regions"] = Region.objects.filter(path__startswith=root.path).count()
        self._progress(f"regions: {self.counts['regions']}")
        return root, communities

    def _companies(self, root: Region) -> list[Company]:
        rng = random.Random(f"{city.SEED}:companies")
        companies = [
            Company(
                name=name,
                # 99 is no real registration area, like the ID numbers' province code
                credit_code=f"91990100MA{rng.randrange(10**7):07d}{rng.choice('0123456789ABCDEFGH')}",
                contact_phone=f"0{rng.randint(810, 839)}-{rng.randint(2000000, 8999999)}",
                region=root,
            )
            for name in names.COMPANY_NAMES
        ]
        Company.objects.bulk_create(companies)
        self.counts["companies"] = len(companies)
        return companies

    def _compounds(self, communities, companies) -> list[tuple[Compound, city.CompoundSpec]]:
        specs = city.compound_specs(self.scale)
        compounds = []
        for spec in specs:
            lat, lng, address = city.compound_location(spec)
            compounds.append(
                Compound(
                    name=spec.name,
                    code=spec.code,
                    kind=spec.kind,
                    community=communities[spec.community],
                    company=companies[spec.company],
                    co_managed_by_authority=spec.co_managed,
                    address=address,
                    lat=lat,
                    lng=lng,
                )
            )
        Compound.objects.bulk_create(compounds)
        self.counts["compounds"] = len(compounds)
        self._progress(f"compounds: {len(compounds)}")
        return list(zip(compounds, specs, strict=True))

    # -- one compound: buildings, units, households, residents ------------------------

    def _compound_contents(self, compound: Compound, spec: city.CompoundSpec) -> None:
        plans = city.building_plans(spec, self.scale)
        buildings = [
            Building(
                compound=compound,
                name=p.name,
                floors=p.floors,
                has_elevator=p.has_elevator,
                lat=p.lat,
                lng=p.lng,
                sort=p.number,
            )
            for p in plans
        ]
        Building.objects.bulk_create(buildings)
        households, occupants = [], []
        for building, plan in zip(buildings, plans, strict=True):
            units = {
                name: Unit(building=building, name=name)
                for name in dict.fromkeys(u for u, _, _ in plan.rooms())
            }
            Unit.objects.bulk_create(units.values())
            self.counts["units"] += len(units)
            for unit_name, room, floor in plan.rooms():
                unit = units[unit_name]
                households.append(
                    Household(
                        unit=unit,
                        building=building,
                        compound=compound,
                        room=room,
                        floor=floor,
                        code=household_code(compound, building, unit, room),
                        area_m2=Decimal(str(plan.area())),
                    )
                )
                occupants.append(self._occupants(spec, plan))
        Household.objects.bulk_create(households, batch_size=BATCH)
        self._residents(households, occupants)
        self.counts["buildings"] += len(buildings)
        self.counts["households"] += len(households)
        self._progress(
            f"{spec.code} {spec.name}: {len(buildings)} buildings, {len(households)} households"
            f" (total residents so far: {self.counts['residents']})"
        )

    def _occupants(self, spec, plan) -> list[people.Person]:
        if plan.rng.random() < city.VACANT_RATE[spec.kind]:
            return []  # an empty flat: for sale, being renovated, or awaiting a tenant
        return people.household_people(
            plan.rng, self.registry, kind=spec.kind, alone_rate=city.alone_rate(spec, plan)
        )

    def _residents(self, households, occupants) -> None:
        rows = [
            self._resident(household, person)
            for household, persons in zip(households, occupants, strict=True)
            for person in persons
        ]
        for start in range(0, len(rows), BATCH):
            Resident.objects.bulk_create(rows[start : start + BATCH])
        self.counts["residents"] += len(rows)
        self.counts["elderly_alone"] += sum(r.lives_alone for r in rows)
        self.counts["party_members"] += sum(r.is_party_member for r in rows)

    @staticmethod
    def _resident(household: Household, p: people.Person) -> Resident:
        name_pinyin, name_initials = _pinyin(p.name)
        return Resident(
            household=household,
            building_id=household.building_id,
            compound_id=household.compound_id,
            name=p.name,
            name_pinyin=name_pinyin,
            name_initials=name_initials,
            relation=p.relation,
            gender=p.gender,
            phone=p.phone,
            id_number=p.id_number,
            id_number_hash=pii.lookup_hash(p.id_number),
            birth_date=p.birth_date,
            lives_alone=p.lives_alone,
            disability=p.disability,
            chronic_illness=p.chronic_illness,
            health_notes=p.health_notes,
            is_party_member=p.is_party_member,
            emergency_contacts=p.emergency_contacts,
        )

    # -- staff -------------------------------------------------------------------------

    def _staff(self, compounds: list[Compound]) -> None:
        """Staff for every duty in every compound; some patrol staff also repair."""
        staff, duties = [], []
        for compound in compounds:
            rng = random.Random(f"{city.SEED}:{compound.code}:staff")
            factor = 2 if compound.kind == "public_rental" else 1
            for duty, (low, high) in STAFF_PER_DUTY.items():
                for _ in range(rng.randint(low, high) * factor):
                    member = StaffMember(
                        company_id=compound.company_id,
                        compound=compound,
                        name=names.person_name(rng, "M" if rng.random() < 0.6 else "F"),
                        phone=self.registry.phone(rng),
                        is_party_member=rng.random() < 0.15,
                    )
                    staff.append(member)
                    duties.append(
                        [duty, "repair"] if duty == "patrol" and rng.random() < 0.2 else [duty]
                    )
        StaffMember.objects.bulk_create(staff, batch_size=BATCH)
        StaffDuty.objects.bulk_create(
            [StaffDuty(staff=m, duty=d) for m, ds in zip(staff, duties, strict=True) for d in ds],
            batch_size=BATCH,
        )
        self.counts["staff"] = len(staff)
        self._progress(f"staff: {len(staff)}")
