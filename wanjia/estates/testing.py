"""Factories and personas shared by every app's tests (a resident of A, a manager
of A, an outsider from B, a regulator...). Kept in the package so that benchmarks
and e2e tests can build the same world. The world has households and residents,
so it lives with the registry; users and memberships come from wanjia.core.testing
(re-exported here, so one import serves a test module)."""

import itertools
from dataclasses import dataclass

from wanjia.core.models import Building, Company, Compound, Region, User
from wanjia.core.pii import lookup_hash
from wanjia.core.roles import Role
from wanjia.core.testing import PASSWORD, grant, make_user  # noqa: F401  (re-exported)

from .models import Household, Resident, Unit
from .services import household_create, pinyin_keys, region_create

_seq = itertools.count(1)


def make_region_tree(prefix: str = "T") -> dict[str, Region]:
    city = Region.objects.filter(code=f"{prefix}-CITY").first() or region_create(
        actor=None, kind="city", name="测试市", code=f"{prefix}-CITY"
    )
    district = region_create(
        actor=None,
        kind="district",
        name=f"{prefix}区{next(_seq)}",
        code=f"{prefix}-D{next(_seq)}",
        parent=city,
    )
    street = region_create(
        actor=None,
        kind="street",
        name=f"{prefix}街道{next(_seq)}",
        code=f"{prefix}-S{next(_seq)}",
        parent=district,
    )
    community = region_create(
        actor=None,
        kind="community",
        name=f"{prefix}社区{next(_seq)}",
        code=f"{prefix}-C{next(_seq)}",
        parent=street,
    )
    return {"city": city, "district": district, "street": street, "community": community}


def make_compound(
    name: str = "",
    *,
    community: Region | None = None,
    company: Company | None = None,
    buildings: int = 2,
    units: int = 1,
    floors: int = 3,
    rooms_per_floor: int = 2,
    kind: str = "commodity",
) -> Compound:
    n = next(_seq)
    community = community or make_region_tree()["community"]
    company = company or Company.objects.create(name=f"测试物业{n}")
    compound = Compound.objects.create(
        name=name or f"测试小区{n}",
        code=f"C{n:04d}",
        kind=kind,
        community=community,
        company=company,
        lat=29.58,
        lng=105.05,
    )
    for b in range(1, buildings + 1):
        building = Building.objects.create(
            compound=compound,
            name=f"{b}栋",
            floors=floors,
            sort=b,
            lat=29.58 + b * 0.0003,
            lng=105.05 + b * 0.0003,
        )
        for u in range(1, units + 1):
            unit = Unit.objects.create(building=building, name=f"{u}单元")
            for f in range(1, floors + 1):
                for r in range(1, rooms_per_floor + 1):
                    household_create(actor=None, unit=unit, room=f"{f}{r:02d}", floor=f)
    return compound


def make_resident(household: Household, name: str = "张伟", **fields) -> Resident:
    resident = Resident(
        household=household,
        building_id=household.building_id,
        compound_id=household.compound_id,
        name=name,
        **fields,
    )
    resident.name_pinyin, resident.name_initials = pinyin_keys(name)
    resident.id_number_hash = lookup_hash(resident.id_number)  # as the services keep it
    resident.save()
    return resident


@dataclass
class World:
    """Two compounds of two companies in two districts, and people in them."""

    a: Compound
    b: Compound
    home: Household  # the resident's household in A
    other_home: Household  # another household in A
    b_home: Household
    resident_a: User
    manager_a: User
    leader_a: User  # building leader of A's first building
    secretary_a: User
    staff_a: User
    volunteer_a: User
    company_admin_a: User
    outsider_b: User  # manager of compound B
    regulator: User  # regulator of the whole city

    @property
    def building_a1(self) -> Building:
        return self.home.building


def make_world() -> World:
    tree_a = make_region_tree("W")
    tree_b = make_region_tree("W")
    a = make_compound("幸福里", community=tree_a["community"])
    b = make_compound("和平苑", community=tree_b["community"])
    home = a.households.order_by("id").first()
    other_home = (
        a.households.filter(building=home.building).exclude(pk=home.pk).order_by("id").first()
    )
    b_home = b.households.order_by("id").first()
    make_resident(
        home, "张伟", phone="13812345678", id_number="11010519491231002X", lives_alone=True
    )
    make_resident(other_home, "李娜", phone="13900001111")
    make_resident(b_home, "王芳", phone="13700002222")
    resident_a = grant(
        make_user("res_a", phone="13812345678", display_name="张伟"), Role.RESIDENT, home
    )
    Resident.objects.filter(household=home).update(user=resident_a)
    return World(
        a=a,
        b=b,
        home=home,
        other_home=other_home,
        b_home=b_home,
        resident_a=resident_a,
        manager_a=grant(make_user("mgr_a", display_name="刘经理"), Role.COMPOUND_MANAGER, a),
        leader_a=grant(
            make_user("leader_a", display_name="陈楼长"), Role.BUILDING_LEADER, home.building
        ),
        secretary_a=grant(make_user("sec_a", display_name="周书记"), Role.PARTY_SECRETARY, a),
        staff_a=grant(make_user("staff_a", display_name="赵保安"), Role.STAFF, a),
        volunteer_a=grant(make_user("vol_a", display_name="孙志愿"), Role.VOLUNTEER, a),
        company_admin_a=grant(
            make_user("cadmin_a", display_name="吴总"), Role.COMPANY_ADMIN, a.company
        ),
        outsider_b=grant(make_user("mgr_b", display_name="钱经理"), Role.COMPOUND_MANAGER, b),
        regulator=grant(make_user("gov", display_name="住建中心"), Role.REGULATOR, tree_a["city"]),
    )
