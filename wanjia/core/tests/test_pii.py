"""Personal data: masking, validation, audited reveal, encryption at rest and
lookup through the keyed hash."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from wanjia.core import pii
from wanjia.core.models import AuditLog
from wanjia.estates.models import Resident

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# -- masking and validation (no database) -------------------------------------------------


@pytest.mark.parametrize(
    "phone, masked",
    [
        ("13812345678", "138****5678"),
        ("", ""),
        ("8612345", "*****45"),  # short numbers never show most of their digits
        ("1234", "****"),
    ],
)
def test_mask_phone(phone, masked):
    assert pii.mask_phone(phone) == masked
    assert len(pii.mask_phone(phone)) == len(phone)


def test_mask_id_number_keeps_four_and_four():
    masked = pii.mask_id_number("511002199001011234")
    assert masked == "5110**********1234"
    assert masked[:4] == "5110" and masked[4:14] == "*" * 10 and masked[14:] == "1234"
    assert pii.mask_id_number("") == ""
    assert pii.mask_id_number("123456789") == "*******89"


@pytest.mark.parametrize(
    "value, problem",
    [
        (ID, None),
        (ID.lower(), None),  # lower-case x is normalised
        ("110105194912310021", "校验位"),
        ("11010519491231002", "18位"),
        ("１１０１０５１９４９１２３１００２Ｘ", "18位"),  # full-width digits
        (ID + "\n", None),  # surrounding blanks are stripped before the check
        ("110105194913310021", "出生日期"),  # month 13, correct check digit
    ],
)
def test_id_number_validation(value, problem):
    error = pii.id_number_error(value)
    if problem is None:
        assert error is None
    else:
        assert problem in str(error)


def test_id_check_digit_is_gb11643():
    assert pii.id_check_digit("11010519491231002") == "X"
    assert pii.id_check_digit("51100219900101123") == "3"


@pytest.mark.parametrize("phone", ["13812345678", "19900001111"])
def test_valid_phones(phone):
    assert pii.phone_error(phone) is None


@pytest.mark.parametrize(
    "phone", ["12812345678", "1381234567", "１３８１２３４５６７８", "13812345678\n1"]
)
def test_invalid_phones(phone):
    assert pii.phone_error(phone) is not None


def test_lookup_hash_is_keyed_and_normalised(settings):
    first = pii.lookup_hash(ID)
    assert first == pii.lookup_hash(ID.lower()) == pii.lookup_hash(f" {ID} ")
    settings.LOOKUP_HASH_KEY = "another-key"
    assert pii.lookup_hash(ID) != first  # a dictionary of plain hashes does not help
    assert pii.lookup_hash("") == ""


# -- encryption at rest --------------------------------------------------------------------


def raw_row(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, health_notes FROM estates_resident WHERE id = %s", [pk])
        return cursor.fetchone()


def test_id_number_and_health_notes_are_ciphertext_in_the_table(world, api):
    r = api(world.manager_a).post(
        "/api/v1/residents",
        data=json.dumps(
            {
                "household": world.other_home.pk,
                "name": "钱多多",
                "id_number": "511002199001011233",
                "health_notes": "糖尿病，每日注射胰岛素",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    id_raw, notes_raw = raw_row(pk)
    assert id_raw.startswith("enc1:") and notes_raw.startswith("enc1:")
    assert "511002199001011233" not in id_raw and "19900101" not in id_raw
    assert "糖尿病" not in notes_raw
    # Python sees clear text
    resident = Resident.objects.get(pk=pk)
    assert resident.id_number == "511002199001011233"
    assert resident.health_notes == "糖尿病，每日注射胰岛素"


def test_world_resident_is_encrypted_too(world):
    pk = Resident.objects.get(name="张伟").pk
    assert ID not in raw_row(pk)[0]


def test_queryset_update_encrypts(world):
    Resident.objects.filter(name="李娜").update(health_notes="哮喘")
    pk = Resident.objects.get(name="李娜").pk
    assert "哮喘" not in raw_row(pk)[1]
    assert Resident.objects.get(pk=pk).health_notes == "哮喘"


def test_dumpdata_holds_no_clear_text_and_loads_back(world):
    Resident.objects.filter(name="张伟").update(health_notes="心脏病")
    out = io.StringIO()
    call_command("dumpdata", "estates.resident", stdout=out)
    dump = out.getvalue()
    assert ID not in dump and "心脏病" not in dump and "enc1:" in dump
    Resident.objects.filter(name="张伟").update(health_notes="", id_number="")
    with open_fixture(dump) as path:
        call_command("loaddata", path, verbosity=0)
    resident = Resident.objects.get(name="张伟")
    assert (resident.id_number, resident.health_notes) == (ID, "心脏病")


class open_fixture:
    def __init__(self, text):
        self.text = text

    def __enter__(self):
        import tempfile

        self.file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
        self.file.write(self.text)
        self.file.close()
        return self.file.name

    def __exit__(self, *exc):
        import os

        os.unlink(self.file.name)


def test_lookup_by_id_number_goes_through_the_hash(world, api):
    resident = Resident.objects.get(name="张伟")
    assert Resident.objects.filter(id_number_hash=pii.lookup_hash(ID.lower())).get() == resident
    assert not Resident.objects.filter(id_number=ID).exists()  # ciphertext is randomised
    found = api(world.manager_a).get("/api/v1/residents", {"q": ID.lower()}).json()
    assert [r["id"] for r in found["items"]] == [resident.pk]


def test_changing_the_id_number_moves_the_hash(world, api):
    resident = Resident.objects.get(name="李娜")
    r = api(world.manager_a).patch(
        f"/api/v1/residents/{resident.pk}",
        data=json.dumps({"id_number": "511002199001011233"}),
        content_type="application/json",
    )
    assert r.status_code == 200
    resident.refresh_from_db()
    assert resident.id_number_hash == pii.lookup_hash("511002199001011233")
    api(world.manager_a).patch(
        f"/api/v1/residents/{resident.pk}",
        data=json.dumps({"id_number": ""}),
        content_type="application/json",
    )
    resident.refresh_from_db()
    assert resident.id_number == "" and resident.id_number_hash == ""


# -- masking in the API, reveal --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager_a", "regulator", "leader_a", "resident_a"])
def test_lists_are_masked_for_every_role(world, api, persona):
    items = api(getattr(world, persona)).get("/api/v1/residents").json()["items"]
    zhang = next(r for r in items if r["name"] == "张伟")
    assert zhang["phone"] == "138****5678"
    assert zhang["id_number"] == "1101**********002X"


def test_reveal_is_audited_without_the_value(world, api):
    pk = Resident.objects.get(name="张伟").pk
    client = api(world.manager_a)
    r = client.post(
        f"/api/v1/residents/{pk}/reveal",
        data=json.dumps({"field": "id_number"}),
        content_type="application/json",
        REMOTE_ADDR="10.1.2.3",
    )
    assert r.json() == {"field": "id_number", "value": ID}
    entry = AuditLog.objects.get(action="estates.resident.revealed_id_number")
    assert entry.actor == world.manager_a and entry.compound == world.a
    assert entry.company_id == world.a.company_id
    assert (entry.object_type, entry.object_id) == ("resident", str(pk))
    assert entry.ip == "10.1.2.3"
    assert ID not in json.dumps(entry.detail)


def test_reveal_of_another_field_is_a_422(world, api):
    pk = Resident.objects.get(name="张伟").pk
    r = api(world.manager_a).post(
        f"/api/v1/residents/{pk}/reveal",
        data=json.dumps({"field": "health_notes"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "field"
    assert not AuditLog.objects.filter(action__startswith="estates.resident.revealed").exists()


def test_field_key_rotation(world, settings):
    """NEW,OLD: old ciphertext still reads; rotate_field_key rewrites it with
    NEW, after which OLD can be dropped; the command prints no value."""
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command
    from django.db import connection

    from wanjia.core.models import AuditLog
    from wanjia.estates.models import Resident

    old = settings.FIELD_ENCRYPTION_KEY
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
    zhang = Resident.objects.get(name="张伟")
    assert zhang.id_number == "11010519491231002X"  # written with OLD, read with NEW,OLD
    out = StringIO()
    call_command("rotate_field_key", stdout=out)
    assert "11010519491231002X" not in out.getvalue()
    assert AuditLog.objects.filter(action="core.keys.field_key_rotated").exists()
    settings.FIELD_ENCRYPTION_KEY = new  # OLD dropped
    assert Resident.objects.get(pk=zhang.pk).id_number == "11010519491231002X"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM estates_resident WHERE id = %s", [zhang.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("enc1:") and "1101" not in raw
