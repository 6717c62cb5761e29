"""Excel import, steps 2 and 3: the checks against the database and the bulk writes (buildings, units, households reused or created; residents appended)."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.models import Building, Compound

from .import_check import BATCH, _too_high, _Validator
from .models import Household, Resident, Unit
from .services import household_code, pinyin_keys

# ---- database checks and writing ---------------------------------------------


@dataclass
class _Existing:
    """What the compound already holds, keyed the way the file names things."""

    buildings: dict  # name -> (id, floors)
    units: dict  # (building, unit) -> id
    households: dict  # (building, unit, room) -> id
    residents: set  # (household id, name)
    id_hashes: set
    max_sort: int

    @classmethod
    def load(cls, compound: Compound) -> "_Existing":
        buildings = Building.objects.filter(compound=compound)
        return cls(
            buildings={n: (i, f) for n, i, f in buildings.values_list("name", "id", "floors")},
            units={
                (b, u): i
                for b, u, i in Unit.objects.filter(building__compound=compound).values_list(
                    "building__name", "name", "id"
                )
            },
            households={
                (b, u, r): i
                for b, u, r, i in Household.objects.filter(compound=compound).values_list(
                    "building__name", "unit__name", "room", "id"
                )
            },
            residents=set(
                Resident.objects.filter(compound=compound).values_list("household_id", "name")
            ),
            id_hashes=set(
                Resident.objects.filter(compound=compound)
                .exclude(id_number_hash="")
                .values_list("id_number_hash", flat=True)
            ),
            max_sort=buildings.aggregate(m=Max("sort"))["m"] or 0,
        )


def _check_against_database(v: _Validator, existing: _Existing) -> None:
    """Rules that depend on what is already registered."""
    for (building, _unit, _room), (floor, explicit, _area, row) in v.households.items():
        known = existing.buildings.get(building)
        floors = known[1] if known else v.buildings[building][0]
        if explicit and floors is not None and floor > floors:
            v.cell_error(row, "floor", _too_high(floors))
    for row, hkey, name, *_rest in v.residents:
        household_id = existing.households.get(hkey)
        if household_id is not None and (household_id, name) in existing.residents:
            v.cell_error(row, "name", _("该房屋已登记同名居民，不能重复导入。"))
    for resident in v.residents:
        if resident[7] and resident[7] in existing.id_hashes:
            v.cell_error(resident[0], "id_number", _("该身份证号已在本小区登记，不能重复导入。"))


def _write(v: _Validator, existing: _Existing, compound: Compound, on_progress) -> tuple:
    """Create what is missing, append the residents; return (created, reused) counts."""
    building_ids = _create_buildings(v, existing, compound)
    unit_ids = _create_units(v, existing, building_ids)
    household_ids = _create_households(v, existing, compound, building_ids, unit_ids)
    residents = _create_residents(v, compound, building_ids, household_ids, on_progress)
    reused = {
        "buildings": len(v.buildings.keys() & existing.buildings.keys()),
        "units": len(v.units & existing.units.keys()),
        "households": len(v.households.keys() & existing.households.keys()),
    }
    created = {
        "buildings": len(v.buildings) - reused["buildings"],
        "units": len(v.units) - reused["units"],
        "households": len(household_ids) - reused["households"],
        "residents": residents,
    }
    return created, reused


def _create_buildings(v: _Validator, existing: _Existing, compound: Compound) -> dict:
    top_floor: dict[str, int] = {}
    for (building, _u, _r), (floor, *_rest) in v.households.items():
        top_floor[building] = max(top_floor.get(building, 1), floor)
    new = [
        Building(
            compound=compound,
            name=name,
            # Height not given: the highest floor seen is the best guess.
            floors=floors or top_floor.get(name, 1),
            has_elevator=bool(elevator),
            sort=existing.max_sort + i,
        )
        for i, (name, (floors, elevator, *_rest)) in enumerate(
            ((n, s) for n, s in v.buildings.items() if n not in existing.buildings), start=1
        )
    ]
    Building.objects.bulk_create(new, batch_size=BATCH)
    return {n: i for n, (i, _f) in existing.buildings.items()} | {b.name: b.pk for b in new}


def _create_units(v: _Validator, existing: _Existing, building_ids: dict) -> dict:
    missing = sorted(v.units - existing.units.keys())
    new = [Unit(building_id=building_ids[b], name=u) for b, u in missing]
    Unit.objects.bulk_create(new, batch_size=BATCH)
    return dict(existing.units) | {key: unit.pk for key, unit in zip(missing, new, strict=True)}


def _create_households(v, existing, compound, building_ids, unit_ids) -> dict:
    """(building, unit, room) -> (household id, building id) for every room in the file."""
    from types import SimpleNamespace

    missing = [k for k in v.households if k not in existing.households]
    new = [
        Household(
            unit_id=unit_ids[(building, unit)],
            building_id=building_ids[building],
            compound_id=compound.pk,
            room=room,
            floor=v.households[(building, unit, room)][0],
            area_m2=v.households[(building, unit, room)][2],
            code=household_code(
                compound, SimpleNamespace(name=building), SimpleNamespace(name=unit), room
            ),
        )
        for building, unit, room in missing
    ]
    Household.objects.bulk_create(new, batch_size=BATCH)
    found = {
        k: (i, building_ids[k[0]]) for k, i in existing.households.items() if k in v.households
    }
    found.update({key: (h.pk, h.building_id) for key, h in zip(missing, new, strict=True)})
    return found


# Every concrete column of Resident but its id, in INSERT order (a test checks
# that none is missing: a new field needs its value in ``_resident_values``).
RESIDENT_COLUMNS = (
    "household_id", "building_id", "compound_id", "user_id", "name", "name_pinyin",
    "name_initials", "relation", "gender", "phone", "id_number", "id_number_hash",
    "birth_date", "lives_alone", "disability", "chronic_illness", "health_notes",
    "is_party_member", "emergency_contacts", "created_at", "updated_at",
)  # fmt: skip
# Columns whose Python value the database cannot take as it is (ciphertext,
# JSON, a date on SQLite): converted by the model field itself, as the ORM would.
_PREPARED = ("id_number", "birth_date", "emergency_contacts")


def _create_residents(v, compound, building_ids, household_ids, on_progress) -> int:
    """Append the residents, ``BATCH`` rows per executemany.

    Not ``bulk_create``: for 100,000 residents its SQL compiler prepares 2
    million values one by one (about 6 s, most of the write phase), although
    only three columns need converting; those go through their model field."""
    pinyin: dict[str, tuple[str, str]] = {}
    prepare = {name: _field_prep(name) for name in _PREPARED}
    stamp = _field_prep("created_at")(timezone.now())
    total = len(v.residents)
    if on_progress:
        on_progress("write", 0, total)
    with connection.cursor() as cursor:
        for start in range(0, total, BATCH):
            batch = v.residents[start : start + BATCH]
            rows = [
                _resident_values(r, compound.pk, household_ids, pinyin, prepare, stamp)
                for r in batch
            ]
            cursor.executemany(_insert_sql(), rows)
            if on_progress:
                on_progress("write", start + len(batch), total)
    return total


def _field_prep(name: str):
    field = Resident._meta.get_field(name)
    return lambda value: field.get_db_prep_save(value, connection)


def _insert_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in RESIDENT_COLUMNS)
    marks = ", ".join(["%s"] * len(RESIDENT_COLUMNS))
    return f"INSERT INTO {quote(Resident._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (names are ours)


def _resident_values(resident, compound_id, household_ids, pinyin, prepare, stamp) -> tuple:
    """One row of ``RESIDENT_COLUMNS`` from a validated resident tuple."""
    (_n, hkey, name, relation, gender, phone, id_number, id_hash, birth, alone,
     disabled, chronic, party, contacts) = resident  # fmt: skip
    household_id, building_id = household_ids[hkey]
    keys = pinyin.get(name)
    if keys is None:  # households share surnames, a compound shares names
        keys = pinyin[name] = pinyin_keys(name)
    return (
        household_id, building_id, compound_id, None, name, keys[0], keys[1], relation,
        gender, phone, prepare["id_number"](id_number), id_hash,
        prepare["birth_date"](birth), alone, disabled, chronic, "", party,
        prepare["emergency_contacts"](contacts), stamp, stamp,
    )  # fmt: skip
