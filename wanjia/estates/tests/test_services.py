"""The registry's write path: permission, validation that names the field and
writes nothing, and an audit entry (actor, compound, dotted action, redacted
detail) for every consequential write."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wanjia.core.models import AuditLog, Region
from wanjia.estates import services
from wanjia.estates.models import Household, Resident, StaffMember

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def last_entry() -> AuditLog:
    return AuditLog.objects.order_by("-id").first()


def test_pinyin_keys():
    assert services.pinyin_keys("张伟") == ("zhangwei", "zw")
    assert services.pinyin_keys("李Anna") == ("lianna", "lanna")


# -- resident_create ---------------------------------------------------------------------


def test_create_is_audited_without_personal_values(world):
    resident = services.resident_create(
        actor=world.manager_a,
        household=world.other_home,
        data={"name": "王小明", "phone": "13911112222", "id_number": "11010519491231002X"},
        ip="10.0.0.5",
    )
    entry = last_entry()
    assert entry.action == "estates.resident.created"
    assert entry.actor == world.manager_a and entry.compound == world.a
    assert entry.company_id == world.a.company_id
    assert (entry.object_type, entry.object_id, entry.ip) == (
        "resident",
        str(resident.pk),
        "10.0.0.5",
    )
    assert entry.detail == {
        "household": world.other_home.pk,
        "fields": ["id_number", "name", "phone", "relation"],
    }
    assert resident.building_id == world.other_home.building_id
    assert resident.compound_id == world.a.pk


@pytest.mark.parametrize(
    "data, fields",
    [
        ({"name": " "}, ["name"]),
        ({"name": "甲", "phone": "12345"}, ["phone"]),
        ({"name": "甲", "id_number": "110105194912310021"}, ["id_number"]),
        ({"name": "甲", "relation": "cousin"}, ["relation"]),
        ({"name": "甲", "birth_date": date.today() + timedelta(days=1)}, ["birth_date"]),
        ({"name": "甲", "birth_date": "1950-01-01"}, ["birth_date"]),  # not a date object
        ({"name": "甲", "emergency_contacts": [{"phone": "13800000000"}]}, ["emergency_contacts"]),
        (
            {"name": "甲", "emergency_contacts": [{"name": "乙", "phone": "1"}]},
            ["emergency_contacts"],
        ),
        ({"name": "", "phone": "x", "id_number": "x"}, ["name", "phone", "id_number"]),
    ],
)
def test_bad_data_names_every_field_and_writes_nothing(world, data, fields):
    residents, entries = Resident.objects.count(), AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.resident_create(actor=world.manager_a, household=world.home, data=data)
    assert sorted(exc.value.message_dict) == sorted(fields)
    assert (Resident.objects.count(), AuditLog.objects.count()) == (residents, entries)


@pytest.mark.parametrize(
    "persona", ["leader_a", "secretary_a", "resident_a", "regulator", "outsider_b"]
)
def test_create_needs_the_edit_role_in_that_compound(world, persona):
    residents, entries = Resident.objects.count(), AuditLog.objects.count()
    with pytest.raises(PermissionDenied):
        services.resident_create(
            actor=getattr(world, persona), household=world.home, data={"name": "甲"}
        )
    assert (Resident.objects.count(), AuditLog.objects.count()) == (residents, entries)


# -- resident_update ----------------------------------------------------------------------


def test_update_audits_old_and_new_values_redacted(world):
    resident = Resident.objects.get(name="张伟")
    services.resident_update(
        actor=world.company_admin_a,
        resident=resident,
        data={
            "phone": "13900001111",
            "id_number": "110105194912310011",
            "health_notes": "心脏病",
            "lives_alone": True,  # unchanged: not written, not audited
            "birth_date": date(1949, 12, 31),
        },
    )
    entry = last_entry()
    assert entry.action == "estates.resident.updated" and entry.actor == world.company_admin_a
    assert entry.compound == world.a
    assert entry.detail == {
        "fields": ["birth_date", "health_notes", "id_number", "phone"],
        "changes": {
            "phone": {"from": "138****5678", "to": "139****1111"},
            "id_number": "***",
            "health_notes": "***",
            "birth_date": {"from": None, "to": "1949-12-31"},
        },
    }
    resident.refresh_from_db()
    assert resident.phone == "13900001111" and resident.health_notes == "心脏病"


def test_update_that_changes_nothing_writes_nothing(world):
    resident = Resident.objects.get(name="张伟")
    stamp, entries = resident.updated_at, AuditLog.objects.count()
    services.resident_update(
        actor=world.manager_a, resident=resident, data={"name": "张伟", "lives_alone": True}
    )
    resident.refresh_from_db()
    assert resident.updated_at == stamp and AuditLog.objects.count() == entries


def test_update_refused_changes_nothing(world):
    resident = Resident.objects.get(name="张伟")
    before = Resident.objects.filter(pk=resident.pk).values().get()
    with pytest.raises(PermissionDenied):
        services.resident_update(actor=world.leader_a, resident=resident, data={"name": "改"})
    with pytest.raises(ValidationError):
        services.resident_update(
            actor=world.manager_a, resident=resident, data={"name": "改", "phone": "1"}
        )
    assert Resident.objects.filter(pk=resident.pk).values().get() == before


# -- resident_reveal -------------------------------------------------------------------------


def test_reveal_needs_a_person_with_the_capability(world):
    resident = Resident.objects.get(name="张伟")
    with pytest.raises(PermissionDenied):
        services.resident_reveal(actor=None, resident=resident, field="phone")
    with pytest.raises(PermissionDenied):
        services.resident_reveal(actor=world.leader_a, resident=resident, field="id_number")
    with pytest.raises(ValidationError):
        services.resident_reveal(actor=world.manager_a, resident=resident, field="health_notes")
    assert not AuditLog.objects.filter(action__startswith="estates.resident.revealed").exists()
    assert services.resident_reveal(actor=world.leader_a, resident=resident, field="phone") == (
        "13812345678"
    )
    entry = last_entry()
    assert (entry.action, entry.actor, entry.detail) == (
        "estates.resident.revealed_phone",
        world.leader_a,
        {"field": "phone"},
    )


# -- households, regions, staff -----------------------------------------------------------------


def test_household_create_is_audited_and_checked(world):
    unit = world.home.unit
    household = services.household_create(actor=world.manager_a, unit=unit, room="401", floor=4)
    entry = last_entry()
    assert entry.action == "estates.household.created" and entry.actor == world.manager_a
    assert entry.compound == world.a and entry.object_id == str(household.pk)
    assert entry.detail["code"] == household.code
    with pytest.raises(PermissionDenied):
        services.household_create(actor=world.leader_a, unit=unit, room="402", floor=4)
    assert not Household.objects.filter(room="402").exists()


def test_region_create_is_audited(world):
    city = Region.objects.get(code="W-CITY")
    region = services.region_create(
        actor=world.regulator, kind="district", name="新区", code="W-NEW", parent=city
    )
    assert region.path == f"{city.path}{region.pk}/"
    entry = last_entry()
    assert entry.action == "estates.region.created" and entry.actor == world.regulator
    assert entry.detail == {"kind": "district", "name": "新区", "code": "W-NEW", "parent": city.pk}


def test_staff_create_is_audited_and_checked(world):
    staff = services.staff_create(
        actor=world.manager_a,
        company=world.a.company,
        compound=world.a,
        name="配送员甲",
        phone="13500001111",
        duties=["courier", "courier", "patrol"],
    )
    assert sorted(staff.duty_codes) == ["courier", "patrol"]
    entry = last_entry()
    assert entry.action == "estates.staff.created" and entry.compound == world.a
    with pytest.raises(PermissionDenied):
        services.staff_create(
            actor=world.secretary_a, company=world.a.company, compound=world.a, name="乙"
        )
    with pytest.raises(PermissionDenied):  # company-wide staff: only the company's admin
        services.staff_create(
            actor=world.manager_a, company=world.a.company, compound=None, name="丙"
        )
    services.staff_create(
        actor=world.company_admin_a, company=world.a.company, compound=None, name="丁"
    )
    with pytest.raises(ValidationError):
        services.staff_create(
            actor=world.manager_a, company=world.a.company, compound=world.a, name="戊", phone="1"
        )
    assert sorted(StaffMember.objects.values_list("name", flat=True)) == ["丁", "配送员甲"]


def test_every_write_of_the_world_was_audited(world):
    """Building the personas went through the services: each household, region
    and membership left an entry (as "system" where no person acted)."""
    assert AuditLog.objects.filter(action="estates.household.created").count() == (
        Household.objects.count()
    )
    assert (
        AuditLog.objects.filter(action="estates.region.created").count() == Region.objects.count()
    )
    assert AuditLog.objects.filter(action="core.membership.granted").count() == 9


def test_update_compares_with_the_stored_row_not_the_object(world):
    """The admin's form has already set the new value on the object it passes."""
    resident = Resident.objects.get(name="李娜")
    resident.name = "李娜娜"
    services.resident_update(actor=world.manager_a, resident=resident, data={"name": "李娜娜"})
    stored = Resident.objects.get(pk=resident.pk)
    assert (stored.name, stored.name_pinyin) == ("李娜娜", "linana")
    assert last_entry().detail["changes"] == {"name": {"from": "李娜", "to": "李娜娜"}}
