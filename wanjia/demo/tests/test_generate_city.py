"""``generate_city``: a small city through COPY, deterministic, resumable, and
usable by the pages (decryptable, searchable ID numbers; scoped managers)."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from wanjia.core import pii
from wanjia.core.models import Compound, Region, User
from wanjia.demo.citygen import base, compound, events
from wanjia.demo.citygen.copy import Batch, spec
from wanjia.demo.citygen.plan import CityPlan, Ids
from wanjia.estates import selectors
from wanjia.estates.models import Household, Resident

CLOCK = "2026-06-30"
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="generate_city writes through PostgreSQL's COPY"
)


def _generate(*extra) -> str:
    out = StringIO()
    call_command("generate_city", "--households", "2000", "--clock", CLOCK, *extra, stdout=out)
    return out.getvalue()


def _rows_of(seed: str, index: int) -> dict:
    """The rows one compound chunk would write, encrypted columns left out
    (Fernet ciphertext differs on every encryption, its clear text does not)."""
    plan = CityPlan(seed=seed, households=2000, clock=date(2026, 6, 30))
    city = base.build(plan)
    batch = Batch(plan.end)
    ids = Ids(index + 1)
    place = compound.build(city, index, batch, ids, Counter())
    events.generate(city, place, batch, ids)
    plain = {}
    for model, rows in batch.rows.items():
        s = spec(model)
        keep = [k for k, c in enumerate(s.converters) if c is None]
        plain[s.table] = [[r[k] for k in keep] for r in rows]
    return plain


@pytest.mark.django_db
def test_the_same_seed_makes_the_same_rows_and_another_seed_others():
    first, again, other = _rows_of("7", 1), _rows_of("7", 1), _rows_of("8", 1)
    assert first == again
    assert first["estates_resident"] != other["estates_resident"]
    assert first["estates_resident"][0][0] == 2 * 1_000_000 + 1  # chunk 2's id range


@pytest.mark.django_db
def test_refuses_anything_but_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("the refusal is for other databases")
    with pytest.raises(CommandError, match="PostgreSQL"):
        _generate()


@pytest.mark.postgres
@pytest.mark.slow
@on_postgres
@pytest.mark.django_db
def test_a_small_city_resumes_decrypts_searches_and_scopes(client):
    out = _generate("--limit", "2")  # a run stopped half way
    assert "NOT finished" in out
    assert Compound.objects.count() == 2
    out = _generate()  # continues with the two compounds left
    assert "2 already written, 2 to write" in out and "NOT finished" not in out

    assert Compound.objects.count() == 4
    assert Household.objects.count() == 2000
    residents = Resident.objects.count()
    assert 2 * 2000 < residents < 3 * 2000
    assert Region.objects.filter(kind="community").count() == 1
    for table in ("tickets_ticket", "market_order", "delivery_delivery", "patrol_checkin",
                  "care_visit", "conveniences_booking", "volunteers_hoursentry",
                  "feedback_rating", "disputes_case", "emergency_dailyreport",
                  "party_member", "party_attendance", "core_auditlog"):  # fmt: skip
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table}")
            assert cur.fetchone()[0] > 0, table
    with connection.cursor() as cur:  # a year of history: twelve months of tickets
        cur.execute("SELECT count(DISTINCT date_trunc('month', created_at)) FROM tickets_ticket")
        assert cur.fetchone()[0] >= 12

    # a third run with the same seed adds nothing
    out = _generate()
    assert "4 already written, 0 to write" in out
    assert Resident.objects.count() == residents

    # the ID number is ciphertext in the table, clear text through the model,
    # and found by the registry's search (through the keyed hash)
    person = Resident.objects.exclude(id_number="").order_by("pk").first()
    with connection.cursor() as cur:
        cur.execute("SELECT id_number FROM estates_resident WHERE id = %s", [person.pk])
        stored = cur.fetchone()[0]
    assert stored.startswith("enc1:") and person.id_number not in stored
    assert pii.id_number_error(person.id_number) is None
    manager = User.objects.get(username="cg0001-manager")
    found, identifier = selectors.resident_search(
        Resident.objects.all(), person.id_number, user=manager
    )
    assert identifier == "id_number" and list(found) == [person]

    # the manager opens their compound and not another one
    own = Compound.objects.get(code="CG-0001")
    other = Compound.objects.get(code="CG-0002")
    assert person.compound_id == own.pk
    client.force_login(manager)
    assert client.get(f"/console/compounds/{own.pk}/").status_code == 200
    assert client.get(f"/console/compounds/{other.pk}/").status_code == 404

    # the sequences were moved past the explicit ids: the ORM can add rows
    house = Household.objects.filter(compound=own).first()
    extra = Resident.objects.create(household=house, building_id=house.building_id,
                                    compound=own, name="新住户")  # fmt: skip
    assert extra.pk > Resident.objects.exclude(pk=extra.pk).order_by("-pk").first().pk


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db
def test_a_database_with_another_city_is_refused():
    _generate("--limit", "1")
    with pytest.raises(CommandError, match="seed"):
        call_command("generate_city", "--households", "2000", "--seed", "2", stdout=StringIO())
