"""One compound: its buildings, households, residents, staff, accounts and
party branch (then ``events`` adds its year). Every draw comes from
``random.Random`` seeded with the city seed and the compound's index, so the
same seed makes the same compound, whichever chunks ran before it."""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cache

from wanjia.core import pii
from wanjia.core.models import Building, Compound, Membership, User
from wanjia.core.roles import Role
from wanjia.demo import names, people
from wanjia.estates.models import Household, Resident, StaffDuty, StaffMember, Unit
from wanjia.estates.services import pinyin_keys
from wanjia.party.models import Branch, Member, Responsibility

from .base import PASSWORD, WORDS, City, _word
from .copy import Batch
from .plan import Ids

SUFFIXES = ("苑", "小区", "花园", "家园", "新村", "雅居", "里", "湾")
KINDS = (("commodity", 0.80), ("resettlement", 0.12), ("public_rental", 0.08))
VACANT = {"public_rental": 0.02, "resettlement": 0.04, "commodity": 0.07}
ALONE = {"public_rental": 0.044, "resettlement": 0.075, "commodity": 0.04}


@cache
def _pinyin(name: str) -> tuple[str, str]:
    return pinyin_keys(name)


class Registry(people.Registry):
    """Phones and ID numbers unique across the city without a city-wide set:
    both carry the compound's number (ID area 99xxxx, province 99 being
    unallocated, so no number is a real person's), and a set per compound
    keeps them apart within it."""

    def __init__(self, index: int):
        super().__init__()
        self.index = index

    def phone(self, rng: random.Random) -> str:
        while True:
            phone = f"1{rng.choice('3456789')}{self.index:04d}{rng.randrange(10**5):05d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def id_number(self, rng, birth, gender) -> str:
        area = f"99{self.index % 10000:04d}"
        while True:
            seq = rng.randrange(500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
            number = first17 + pii.id_check_digit(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number


@dataclass
class Place:
    """What the event generators need to know about the compound just built."""

    index: int
    id: int
    code: str
    name: str
    company_id: int
    households: list = field(default_factory=list)  # (id, building id, unit id, floor)
    buildings: list = field(default_factory=list)  # building ids
    alone: list = field(default_factory=list)  # (resident id, building id, name)
    adults: list = field(default_factory=list)  # (resident id, name, phone)
    members: list = field(default_factory=list)  # party member ids
    branch_id: int = 0
    manager_id: int = 0
    patrol_id: int = 0
    caretaker_id: int = 0


def _user(batch, ids, plan, username, name, created) -> int:
    pk = ids(User)
    batch.add(User, id=pk, username=username, password=PASSWORD, display_name=name,
              is_active=True, is_staff=False, is_superuser=False, first_name="", last_name="",
              email="", date_joined=created, last_login=None, phone=None,
              wechat_openid=None)  # fmt: skip
    return pk


def _grant(batch, ids, user_id, role, compound_id, created):
    batch.add(Membership, id=ids(Membership), user_id=user_id, role=role,
              scope_type="compound", compound_id=compound_id, created_at=created)  # fmt: skip


def build(city: City, index: int, batch: Batch, ids: Ids, counts) -> Place:
    plan = city.plan
    rng = plan.rng("compound", index)
    reg = Registry(index)
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    code = f"CG-{index + 1:04d}"
    name = f"{_word(index % 400, WORDS)}{SUFFIXES[index // 400 % len(SUFFIXES)]}"
    if index >= 400 * len(SUFFIXES):
        name += f"{index // (400 * len(SUFFIXES)) + 1}期"
    place = Place(index=index, id=ids(Compound), code=code, name=name,
                  company_id=city.company_of(index))  # fmt: skip
    lat, lng = 30.12 + rng.uniform(-0.2, 0.2), 104.64 + rng.uniform(-0.25, 0.25)
    batch.add(Compound, id=place.id, name=name, code=code, kind=kind,
              community_id=city.community_of(index), company_id=place.company_id,
              co_managed_by_authority=kind == "public_rental",
              address=f"澄江市{rng.choice(WORDS)}路{rng.randint(1, 900)}号",
              lat=round(lat, 6), lng=round(lng, 6))  # fmt: skip
    _estate(plan, rng, reg, batch, ids, place, kind, lat, lng, counts)
    _staff(plan, rng, reg, batch, ids, place)
    _party(plan, rng, batch, ids, place)
    return place


def _estate(plan, rng, reg, batch, ids, place, kind, lat, lng, counts):
    target = plan.households_of(place.index)
    n_buildings = max(1, min(rng.randint(16, 24), target // 8 or 1))
    left = target
    alone_rate = ALONE[kind]
    for b in range(n_buildings):
        flats = left // (n_buildings - b)  # the rest spread over the buildings left
        left -= flats
        units = 1 if flats < 24 else rng.choice((2, 2, 3))
        per_floor = 2
        floors = max(1, -(-flats // (units * per_floor)))
        bid = ids(Building)
        place.buildings.append(bid)
        batch.add(Building, id=bid, compound_id=place.id, name=f"{b + 1}栋", floors=floors,
                  has_elevator=floors > 7, sort=b + 1,
                  lat=round(lat + (b // 5) * 0.0004, 6),
                  lng=round(lng + (b % 5) * 0.00047, 6))  # fmt: skip
        unit_ids = []
        for u in range(units):
            uid = ids(Unit)
            unit_ids.append(uid)
            batch.add(Unit, id=uid, building_id=bid, name=f"{u + 1}单元")
        made = 0
        for u, uid in enumerate(unit_ids):
            for floor in range(1, floors + 1):
                for r in range(1, per_floor + 1):
                    if made >= flats:
                        break
                    made += 1
                    room = f"{floor}{r:02d}"
                    hid = ids(Household)
                    batch.add(Household, id=hid, unit_id=uid, building_id=bid,
                              compound_id=place.id, room=room, floor=floor,
                              code=f"{place.code}-{b + 1}栋-{u + 1}单元-{room}",
                              area_m2=Decimal(str(round(rng.uniform(48, 140), 2))),
                              quarantine=False)  # fmt: skip
                    place.households.append((hid, bid, uid, floor))
                    if rng.random() < VACANT[kind]:
                        continue
                    for p in people.household_people(rng, reg, kind=kind, alone_rate=alone_rate):
                        # the demo's draw makes ~5 % of adults members; ~6 % is the target
                        if not p.is_party_member and p.age >= 22 and rng.random() < 0.015:
                            p.is_party_member = True
                        _resident(batch, ids, place, hid, bid, p, counts)


def _resident(batch, ids, place, hid, bid, p, counts):
    pk = ids(Resident)
    name_pinyin, name_initials = _pinyin(p.name)
    batch.add(Resident, id=pk, household_id=hid, building_id=bid, compound_id=place.id,
              user_id=None, name=p.name, name_pinyin=name_pinyin, name_initials=name_initials,
              relation=p.relation, gender=p.gender, phone=p.phone, id_number=p.id_number,
              id_number_hash=pii.lookup_hash(p.id_number), birth_date=p.birth_date,
              lives_alone=p.lives_alone, disability=p.disability,
              chronic_illness=p.chronic_illness, health_notes=p.health_notes,
              is_party_member=p.is_party_member, emergency_contacts=p.emergency_contacts,
              created_at=batch.clock, updated_at=batch.clock)  # fmt: skip
    if p.lives_alone:
        place.alone.append((pk, bid, p.name))
    if p.age >= 18:
        place.adults.append((pk, p.name, p.phone))
    if p.is_party_member:
        place.members.append((pk, p.name))
    counts["party_members"] += p.is_party_member


def _staff(plan, rng, reg, batch, ids, place):
    """Staff for the duties, three of them with accounts (manager, patrol,
    caretaker), all with the demo password."""
    created = plan.start
    n = place.index + 1
    for duty, count in (("patrol", 2), ("caretaker", 1), ("repair", 1), ("market", 1),
                        ("courier", 1)):  # fmt: skip
        for k in range(count):
            name = names.person_name(rng, "M" if rng.random() < 0.6 else "F")
            user_id = None
            if k == 0 and duty in ("patrol", "caretaker"):
                user_id = _user(batch, ids, plan, f"cg{n:04d}-{duty}", name, created)
                _grant(batch, ids, user_id, Role.STAFF, place.id, created)
                setattr(place, f"{duty}_id", user_id)
            sid = ids(StaffMember)
            batch.add(StaffMember, id=sid, company_id=place.company_id, compound_id=place.id,
                      user_id=user_id, name=name, phone=reg.phone(rng),
                      is_party_member=rng.random() < 0.15, active=True)  # fmt: skip
            batch.add(StaffDuty, id=ids(StaffDuty), staff_id=sid, duty=duty)
    manager = names.person_name(rng, "M" if rng.random() < 0.6 else "F")
    place.manager_id = _user(batch, ids, plan, f"cg{n:04d}-manager", manager, created)
    _grant(batch, ids, place.manager_id, Role.COMPOUND_MANAGER, place.id, created)


def _party(plan, rng, batch, ids, place):
    """A branch per compound, a member row per party-member resident, the
    secretary first; buildings shared out among the members (党员联户)."""
    place.branch_id = ids(Branch)
    batch.add(Branch, id=place.branch_id, name=f"{place.name}党支部",
              founded_on=plan.clock - timedelta(days=365 * rng.randint(3, 20)),
              created_at=plan.start)  # fmt: skip
    batch.add(Branch.compounds.through, id=ids(Branch.compounds.through),
              branch_id=place.branch_id, compound_id=place.id)  # fmt: skip
    member_ids = []
    for k, (resident_id, name) in enumerate(place.members):
        pk = ids(Member)
        member_ids.append(pk)
        role = "secretary" if k == 0 else "committee" if k < 3 else "member"
        status = "probationary" if rng.random() < 0.04 else "full"
        batch.add(Member, id=pk, branch_id=place.branch_id, compound_id=place.id,
                  resident_id=resident_id, staff_id=None, name=name, role=role, status=status,
                  show_badge=True, created_at=plan.start,
                  joined_on=plan.clock - timedelta(days=rng.randint(365, 40 * 365)))  # fmt: skip
    place.members = member_ids
    if member_ids:
        for k, bid in enumerate(place.buildings):
            batch.add(Responsibility, id=ids(Responsibility), member_id=member_ids[k % len(member_ids)],
                      compound_id=place.id, building_id=bid, household_id=None,
                      created_at=plan.start)  # fmt: skip
