"""What the import stores, column by column: residents are written with plain
INSERTs (not the ORM), so check that they read back, and are stored, exactly
as the ORM would have written them."""

from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from wanjia.core import pii
from wanjia.core.fields import PREFIX
from wanjia.estates.importer import RESIDENT_COLUMNS
from wanjia.estates.models import Resident

from .test_import import row, run, valid_id, xlsx

pytestmark = pytest.mark.django_db


def test_the_insert_names_every_column_of_resident():
    columns = {f.column for f in Resident._meta.concrete_fields if not f.primary_key}
    assert set(RESIDENT_COLUMNS) == columns
    assert len(RESIDENT_COLUMNS) == len(columns)


def test_imported_residents_are_stored_as_the_orm_stores_them(world, tmp_path):
    id_number = valid_id(3, "19500607")
    rows = [
        row(**{"房号": "1801", "姓名": "曾重庆", "身份证号": id_number, "独居": "是",
               "紧急联系人": "曾大", "紧急联系人电话": "13900005678"}),
        row(**{"房号": "1802", "姓名": "Anna李", "出生日期": date(1990, 2, 3)}),
    ]  # fmt: skip
    started = timezone.now()
    result = run(world, tmp_path, xlsx(rows))
    assert result.ok, result.errors
    zeng = Resident.objects.get(compound=world.a, name="曾重庆")
    assert zeng.id_number == id_number and zeng.id_number_hash == pii.lookup_hash(id_number)
    assert zeng.birth_date == date(1950, 6, 7) and zeng.lives_alone and zeng.user is None
    assert zeng.emergency_contacts == [{"name": "曾大", "phone": "13900005678"}]
    assert zeng.health_notes == "" and started <= zeng.created_at == zeng.updated_at
    anna = Resident.objects.get(compound=world.a, name="Anna李")
    assert (anna.id_number, anna.birth_date, anna.emergency_contacts) == ("", date(1990, 2, 3), [])
    assert not anna.lives_alone and not anna.disability and not anna.is_party_member
    # Encrypted at rest, and found by the lookups the rest of the site uses.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM estates_resident WHERE id = %s", [zeng.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith(PREFIX) and id_number not in stored
    assert Resident.objects.filter(emergency_contacts__0__name="曾大").get() == zeng
    assert Resident.objects.filter(birth_date__year=1990, name_initials="annal").get() == anna
