"""The plan of 清溪市, the fictional demo city: regions, companies, compounds and
the shape of every building. Pure data and a seeded generator; no database.

Every building draws from its own ``random.Random`` seeded with the compound
code and building number, so a building has the same floors, rooms and people
whether the full city or only a slice of it (``--scale small``) is loaded."""

import random
from dataclasses import dataclass

SEED = "qingxi-2025"
CITY_CODE = "QX"
CITY_NAME = "清溪市"
CITY_CENTRE = (30.1210, 104.6420)  # lat, lng of the fictional city hall

# district -> streets -> communities, with the codes the regions get.
DISTRICTS = [
    (
        "青云区",
        "QY",
        [
            ("桂香街道", ["桂香社区", "丹桂社区"]),
            ("临江街道", ["临江社区", "望湖社区"]),
            ("云栖街道", ["云栖社区", "书院社区"]),
        ],
    ),
    (
        "溪南区",
        "XN",
        [
            ("柳岸街道", ["柳岸社区", "溪南社区"]),
            ("石桥街道", ["石桥社区", "新溪社区"]),
            ("枫林街道", ["枫林社区", "荷塘社区"]),
        ],
    ),
]
ROADS = ("桂香路", "临江大道", "云栖路", "书院街", "柳岸路", "石桥路", "枫林大道", "荷塘街")


@dataclass(frozen=True)
class CompoundSpec:
    code: str
    name: str
    kind: str  # commodity / public_rental / resettlement
    community: int  # index into the flattened community list
    company: int  # index into names.COMPANY_NAMES
    buildings: tuple[tuple[str, int], ...]  # (profile, how many)
    co_managed: bool = False


C, R, P = "commodity", "resettlement", "public_rental"
COMPOUNDS = [
    CompoundSpec("QX-A01", "桂香苑", C, 0, 0, (("walkup", 11), ("mid", 2))),
    CompoundSpec("QX-A02", "临江花园", C, 2, 3, (("mid", 6), ("tower", 2))),
    CompoundSpec("QX-A03", "青云新村", R, 1, 1, (("walkup", 17),)),
    CompoundSpec("QX-A04", "望湖小区", C, 3, 0, (("walkup", 14),)),
    CompoundSpec("QX-A05", "丹桂里", C, 1, 2, (("walkup", 12),)),
    CompoundSpec("QX-A06", "溪畔雅居", C, 2, 1, (("mid", 5), ("tower", 2))),
    CompoundSpec("QX-A07", "云栖家园", P, 4, 1, (("rental", 12),), co_managed=True),
    CompoundSpec("QX-A08", "石板坡小区", R, 4, 2, (("walkup", 16),)),
    CompoundSpec("QX-A09", "翠竹苑", C, 5, 0, (("walkup", 11),)),
    CompoundSpec("QX-A10", "清风里", C, 5, 3, (("walkup", 9), ("mid", 2))),
    CompoundSpec("QX-A11", "金橘湾", C, 3, 0, (("mid", 4), ("tower", 1))),
    CompoundSpec("QX-A12", "柳荫巷小区", C, 0, 1, (("walkup", 12),)),
    CompoundSpec("QX-A13", "书院街小区", C, 5, 2, (("walkup", 10),)),
    CompoundSpec("QX-B01", "溪南新苑", R, 7, 1, (("walkup", 18),)),
    CompoundSpec("QX-B02", "柳岸人家", C, 6, 2, (("walkup", 11), ("mid", 2))),
    CompoundSpec("QX-B03", "石桥小区", R, 8, 1, (("walkup", 16),)),
    CompoundSpec("QX-B04", "新溪汇", C, 9, 0, (("tower", 3), ("mid", 3))),
    CompoundSpec("QX-B05", "南山雅苑", C, 10, 2, (("walkup", 12),)),
    CompoundSpec("QX-B06", "枫林小区", C, 10, 0, (("walkup", 13),)),
    CompoundSpec("QX-B07", "双溪花园", C, 9, 1, (("mid", 6),)),
    CompoundSpec("QX-B08", "滨河湾", C, 6, 4, (("walkup", 10), ("mid", 2))),
    CompoundSpec("QX-B09", "兰亭苑", C, 11, 5, (("walkup", 12),)),
    CompoundSpec("QX-B10", "荷塘小区", R, 11, 2, (("walkup", 14),)),
    CompoundSpec("QX-B11", "晨光里", C, 8, 4, (("walkup", 10),)),
    CompoundSpec("QX-B12", "锦溪苑", C, 7, 0, (("walkup", 10), ("mid", 2))),
]

# profile -> (floors range, units range, rooms per floor range, area range m²)
PROFILES = {
    "walkup": ((6, 7), (2, 3), (2, 2), (52, 105)),
    "mid": ((9, 18), (2, 2), (2, 2), (78, 140)),
    "tower": ((24, 33), (1, 2), (2, 4), (82, 160)),
    "rental": ((18, 33), (2, 2), (4, 4), (38, 62)),
}
# Share of households that are an elder (70+) living alone. Old walk-up and
# resettlement blocks hold many; new towers few.
ALONE_RATE = {"walkup": 0.051, "mid": 0.026, "tower": 0.02, "rental": 0.044}
ALONE_RATE_RESETTLEMENT = 0.075
VACANT_RATE = {"public_rental": 0.02, "resettlement": 0.04, "commodity": 0.07}


@dataclass(frozen=True)
class Scale:
    """How much of the city to load. ``small`` keeps the demo compound and one
    more, each cut to its first few buildings: enough for tests and a quick look."""

    name: str
    compounds: int | None = None  # the first N compound specs; None: all
    max_buildings: int | None = None


SCALES = {"full": Scale("full"), "small": Scale("small", compounds=2, max_buildings=3)}


@dataclass
class BuildingPlan:
    number: int
    name: str
    profile: str
    floors: int
    units: int
    rooms_per_floor: int
    lat: float
    lng: float
    rng: random.Random  # carries on into the households of this building

    @property
    def has_elevator(self) -> bool:
        return self.floors > 7

    def rooms(self):
        """(unit name, room, floor) for every flat, floor by floor."""
        for u in range(1, self.units + 1):
            for floor in range(1, self.floors + 1):
                for r in range(1, self.rooms_per_floor + 1):
                    yield f"{u}单元", f"{floor}{r:02d}", floor

    def area(self) -> float:
        low, high = PROFILES[self.profile][3]
        return round(self.rng.uniform(low, high), 2)


def communities() -> list[tuple[int, int, str]]:
    """(district index, street index, community name), flattened in tree order."""
    return [
        (d, s, community)
        for d, (_, _, streets) in enumerate(DISTRICTS)
        for s, (_, names) in enumerate(streets)
        for community in names
    ]


def compound_specs(scale: Scale) -> list[CompoundSpec]:
    return COMPOUNDS[: scale.compounds] if scale.compounds else list(COMPOUNDS)


def compound_location(spec: CompoundSpec) -> tuple[float, float, str]:
    """Centre and street address of a compound, a few kilometres around the centre."""
    rng = random.Random(f"{SEED}:{spec.code}:site")
    lat = CITY_CENTRE[0] + rng.uniform(-0.045, 0.045)
    lng = CITY_CENTRE[1] + rng.uniform(-0.055, 0.055)
    address = f"{CITY_NAME}{rng.choice(ROADS)}{rng.randint(1, 480)}号"
    return round(lat, 6), round(lng, 6), address


def building_plans(spec: CompoundSpec, scale: Scale) -> list[BuildingPlan]:
    """The buildings of a compound laid out on a grid about 45 m apart, with a
    little jitter, centred on the compound."""
    lat0, lng0, _ = compound_location(spec)
    profiles = [p for p, n in spec.buildings for _ in range(n)]
    cols = max(1, round(len(profiles) ** 0.5))  # from the full list: a slice keeps its sites
    if scale.max_buildings:
        profiles = profiles[: scale.max_buildings]
    plans = []
    for i, profile in enumerate(profiles):
        number = i + 1
        rng = random.Random(f"{SEED}:{spec.code}:{number}")
        floors, units, rooms = (rng.randint(*PROFILES[profile][k]) for k in range(3))
        row, col = divmod(i, cols)
        plans.append(
            BuildingPlan(
                number=number,
                name=f"{number}栋",
                profile=profile,
                floors=floors,
                units=units,
                rooms_per_floor=rooms,
                lat=round(lat0 + (row - cols / 2) * 0.0004 + rng.uniform(-0.00005, 0.00005), 6),
                lng=round(lng0 + (col - cols / 2) * 0.00047 + rng.uniform(-0.00005, 0.00005), 6),
                rng=rng,
            )
        )
    return plans


def alone_rate(spec: CompoundSpec, plan: BuildingPlan) -> float:
    return ALONE_RATE_RESETTLEMENT if spec.kind == R else ALONE_RATE[plan.profile]
