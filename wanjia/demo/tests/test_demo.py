"""The demo city: deterministic, idempotent, well-formed, and scoped accounts."""

import hashlib
import json
import os
import subprocess
import sys
import types
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from wanjia.core import pii
from wanjia.core.models import AuditLog, Building, Company, Compound, Membership, Region, User
from wanjia.core.roles import Role
from wanjia.demo import city, hooks, people
from wanjia.demo.constants import ACCOUNTS, DEMO_COMPOUND_CODE, DEMO_PASSWORD
from wanjia.estates import selectors
from wanjia.estates.models import Household, Resident, StaffDuty, StaffMember, Unit
from wanjia.estates.services import household_code, pinyin_keys

MODELS = [
    Region,
    Company,
    Compound,
    Building,
    Unit,
    Household,
    Resident,
    StaffMember,
    StaffDuty,
    User,
    Membership,
    AuditLog,
]


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", "--scale", "small", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def small_city(db):
    load("--no-modules")
    return Compound.objects.get(code=DEMO_COMPOUND_CODE)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def _digest() -> str:
    """A checksum of everything a person would see, independent of primary keys."""
    h = hashlib.sha256()
    for row in Resident.objects.order_by("household__code", "name", "birth_date").values_list(
        "household__code",
        "name",
        "relation",
        "gender",
        "phone",
        "id_number",
        "birth_date",
        "lives_alone",
        "disability",
        "chronic_illness",
        "health_notes",
        "is_party_member",
        "emergency_contacts",
    ):
        h.update(json.dumps(row, default=str, ensure_ascii=False).encode())
    for row in Building.objects.order_by("compound__code", "sort").values_list(
        "compound__code", "name", "floors", "has_elevator", "lat", "lng"
    ):
        h.update(repr(row).encode())
    for row in StaffMember.objects.order_by("compound__code", "name", "phone").values_list(
        "compound__code", "name", "phone", "is_party_member", "user__username"
    ):
        h.update(repr(row).encode())
    for row in User.objects.order_by("username").values_list("username", "display_name", "phone"):
        h.update(repr(row).encode())
    return h.hexdigest()


def _load_digest_and_roll_back() -> tuple[str, dict]:
    with transaction.atomic():
        load("--no-modules")
        result = _digest(), _counts()
        transaction.set_rollback(True)
    return result


# -- determinism and idempotency ------------------------------------------------------


@pytest.mark.django_db
def test_two_loads_give_the_same_city():
    first, first_counts = _load_digest_and_roll_back()
    assert Region.objects.filter(code=city.CITY_CODE).count() == 0  # really rolled back
    second, second_counts = _load_digest_and_roll_back()
    assert first == second
    assert first_counts == second_counts


def test_plan_is_the_same_in_another_process():
    """String seeds, not hash(): another interpreter with another hash seed
    plans exactly the same people."""
    code = (
        "import hashlib\n"
        "from wanjia.demo import city, people\n"
        "reg = people.Registry(); h = hashlib.sha256()\n"
        "for spec in city.compound_specs(city.SCALES['small']):\n"
        "    for b in city.building_plans(spec, city.SCALES['small']):\n"
        "        for p in people.household_people(b.rng, reg, kind=spec.kind, alone_rate=0.1):\n"
        "            h.update(repr(p).encode())\n"
        "print(h.hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[3]
    run = [
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert run[0] == run[1]
    assert len(run[0].strip()) == 64


def test_second_run_says_loaded_and_changes_nothing(small_city):
    before, digest = _counts(), _digest()
    out = load("--no-modules")
    assert "already loaded" in out
    assert _counts() == before
    assert _digest() == digest
    # the full scale does not add to a small city either
    out = StringIO()
    call_command("load_demo", "--no-modules", stdout=out)
    assert "already loaded" in out.getvalue()
    assert _counts() == before


# -- the data are what the services would have written ----------------------------------


def test_every_id_number_is_valid_and_matches_birth_and_gender(small_city):
    residents = list(Resident.objects.all())
    assert len(residents) > 300
    for r in residents:
        assert pii.id_number_error(r.id_number) is None, r.id_number
        assert r.id_number[6:14] == r.birth_date.strftime("%Y%m%d")
        assert (int(r.id_number[16]) % 2 == 1) == (r.gender == "M")
        assert r.id_number_hash == pii.lookup_hash(r.id_number)
    assert len({r.id_number for r in residents}) == len(residents)


def test_id_numbers_and_health_notes_are_not_stored_in_clear(small_city):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, health_notes FROM estates_resident")
        raw = cursor.fetchall()
    clear = {r.id_number for r in Resident.objects.all()}
    assert raw and all(idn.startswith("enc1:") for idn, _ in raw)
    assert not clear & {idn for idn, _ in raw}
    dump = " ".join(f"{a} {b}" for a, b in raw)
    assert not any(number in dump for number in clear)
    notes = [n for _, n in raw if n]
    assert notes and all(n.startswith("enc1:") for n in notes)
    assert "高血压" not in dump


def test_derived_fields_match_the_services(small_city):
    for r in Resident.objects.select_related("household"):
        assert (r.name_pinyin, r.name_initials) == pinyin_keys(r.name)
        assert r.building_id == r.household.building_id
        assert r.compound_id == r.household.compound_id
    for h in Household.objects.select_related("unit", "building", "compound"):
        assert h.code == household_code(h.compound, h.building, h.unit, h.room)
        assert h.building_id == h.unit.building_id
        assert h.compound_id == h.building.compound_id
    for region in Region.objects.select_related("parent"):
        parent_path = region.parent.path if region.parent else "/"
        assert region.path == f"{parent_path}{region.pk}/"


def test_people_are_plausible(small_city):
    residents = list(Resident.objects.all())
    for r in residents:
        assert 2 <= len(r.name) <= 4
        assert not r.phone or pii.phone_error(r.phone) is None
    alone = [r for r in residents if r.lives_alone]
    assert alone
    sizes = Counter(r.household_id for r in residents)
    for r in alone:
        assert people.age_on(r.birth_date, people.REFERENCE_DATE) >= 70
        assert sizes[r.household_id] == 1
        for contact in r.emergency_contacts:
            assert contact["name"] and pii.phone_error(contact["phone"]) is None
    assert any(r.is_party_member for r in residents)
    assert {r.relation for r in residents} >= {"owner", "family"}


def test_buildings_have_elevators_above_seven_floors(small_city):
    for b in Building.objects.all():
        assert 6 <= b.floors <= 33
        assert b.has_elevator == (b.floors > 7)
        assert b.lat and b.lng


def test_every_compound_has_staff_for_every_duty(small_city):
    duties = {"patrol", "courier", "market", "caretaker", "repair"}
    for compound in Compound.objects.all():
        found = set(
            StaffDuty.objects.filter(staff__compound=compound).values_list("duty", flat=True)
        )
        assert found == duties, compound.code


def test_full_plan_has_the_size_the_issue_asks_for():
    """The full city, planned without the database (the load itself is benchmarked)."""
    full = city.SCALES["full"]
    specs = city.compound_specs(full)
    assert len(specs) == 25
    assert len({s.company for s in specs}) == 6
    assert len(city.communities()) == 12
    rental = [s for s in specs if s.kind == "public_rental"]
    assert len(rental) == 1 and rental[0].co_managed
    reg = people.Registry()
    buildings = households = residents = alone = party = 0
    sizes = {}
    for spec in specs:
        plans = city.building_plans(spec, full)
        buildings += len(plans)
        rooms = sum(1 for p in plans for _ in p.rooms())
        sizes[spec.code] = rooms
        households += rooms
        for plan in plans:
            for _ in plan.rooms():
                for p in people.household_people(
                    plan.rng, reg, kind=spec.kind, alone_rate=city.alone_rate(spec, plan)
                ):
                    residents += 1
                    alone += p.lives_alone
                    party += p.is_party_member
    assert 270 <= buildings <= 330
    assert 11_000 <= households <= 13_500
    assert 28_000 <= residents <= 36_000  # before vacancies
    assert 500 <= alone <= 750
    assert 0.03 <= party / residents <= 0.05
    assert max(sizes, key=sizes.get) == rental[0].code  # the large one


def test_small_scale_is_a_slice_of_the_full_city():
    spec = city.COMPOUNDS[0]
    small = city.building_plans(spec, city.SCALES["small"])
    full = city.building_plans(spec, city.SCALES["full"])[: len(small)]
    assert [(b.floors, b.units, b.lat, b.lng) for b in small] == [
        (b.floors, b.units, b.lat, b.lng) for b in full
    ]


# -- accounts -------------------------------------------------------------------------


def _user(username):
    return User.objects.get(username=username)


@pytest.fixture
def fast_hashes(settings):
    """A cheap hasher while the accounts are made and checked (PBKDF2 is slow on purpose)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_account_logs_in_by_name_and_by_phone(fast_hashes, small_city):
    for username in ACCOUNTS:
        user = _user(username)
        assert authenticate(None, username=username, password=DEMO_PASSWORD) == user
        assert user.phone and authenticate(None, username=user.phone, password=DEMO_PASSWORD)
        assert not user.is_superuser
    assert not User.objects.filter(is_superuser=True).exists()


def test_manager_sees_only_the_demo_compound(small_city):
    visible = selectors.compounds_visible_to(_user("manager"))
    assert [c.code for c in visible] == [DEMO_COMPOUND_CODE]
    assert {r.compound_id for r in selectors.residents_visible_to(_user("manager"))} == {
        small_city.pk
    }


def test_regulator_sees_every_compound(small_city):
    assert selectors.compounds_visible_to(_user("regulator")).count() == Compound.objects.count()
    assert selectors.residents_visible_to(_user("regulator")).count() == Resident.objects.count()


def test_company_admin_sees_the_companys_compounds(small_city):
    visible = set(selectors.compounds_visible_to(_user("company_admin")))
    assert visible == set(Compound.objects.filter(company=small_city.company))
    assert small_city in visible


def test_resident_sees_one_household_and_is_linked(small_city):
    user = _user("resident")
    homes = list(selectors.households_visible_to(user))
    assert len(homes) == 1
    home = homes[0]
    assert home.compound == small_city
    assert set(selectors.residents_visible_to(user)) == set(home.residents.all())
    assert user.resident.household == home and user.resident.relation == "owner"
    assert home.residents.count() >= 2
    leader_building = Membership.objects.get(user__username="building_leader").building
    assert home.building == leader_building


def test_building_leader_sees_one_building(small_city):
    user = _user("building_leader")
    buildings = list(selectors.buildings_visible_to(user))
    assert len(buildings) == 1 and buildings[0].compound == small_city
    assert {h.building_id for h in selectors.households_visible_to(user)} == {buildings[0].pk}


@pytest.mark.parametrize("username", ["patrol", "courier", "caretaker"])
def test_staff_accounts_are_linked_to_staff_with_that_duty(small_city, username):
    user = _user(username)
    assert user.staff_profile.compound == small_city
    assert username in user.staff_profile.duty_codes
    assert user.display_name == user.staff_profile.name
    m = Membership.objects.get(user=user)
    assert (m.role, m.compound) == (Role.STAFF, small_city)


@pytest.mark.parametrize(
    "username,role",
    [
        ("party_secretary", Role.PARTY_SECRETARY),
        ("volunteer", Role.VOLUNTEER),
        ("manager", Role.COMPOUND_MANAGER),
    ],
)
def test_compound_roles(small_city, username, role):
    m = Membership.objects.get(user__username=username)
    assert (m.role, m.scope_type, m.compound) == (role, "compound", small_city)


def test_accounts_are_listed_at_the_end(db):
    out = load("--no-modules")
    listing = out.split("Demo accounts")[1]
    for username in ACCOUNTS:
        assert username in listing
    assert DEMO_PASSWORD in listing


def test_existing_demo_username_stops_the_load_and_writes_nothing(db):
    User.objects.create(username="manager")
    with pytest.raises(CommandError, match="manager"):
        load("--no-modules")
    assert not Region.objects.filter(code=city.CITY_CODE).exists()
    assert Resident.objects.count() == 0


# -- the module hook ------------------------------------------------------------------


def _fake_module(name: str, body) -> types.ModuleType:
    module = types.ModuleType(name)
    module.load = body
    return module


def test_module_hook_runs_each_app_in_its_own_transaction(db, monkeypatch):
    calls = []

    def good_load(*, stdout):
        calls.append("good")
        stdout.write("good module loaded")
        Company.objects.get_or_create(name="钩子测试物业")

    def broken_load(*, stdout):
        calls.append("broken")
        Company.objects.create(name="不应留下的物业")
        raise RuntimeError("boom")

    monkeypatch.setitem(
        sys.modules, "wanjia.demo.fixtures.fakegood", _fake_module("good", good_load)
    )
    monkeypatch.setitem(
        sys.modules, "wanjia.demo.fixtures.fakebroken", _fake_module("bad", broken_load)
    )
    monkeypatch.setattr(
        hooks,
        "_app_names",
        lambda: [
            ("fakebroken", "wanjia.fakebroken"),
            ("core", "wanjia.core"),  # an app without a demo module is skipped
            ("fakegood", "wanjia.fakegood"),
        ],
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="fakebroken"):
        call_command("load_demo", "--scale", "small", stdout=out, stderr=err)
    assert calls == ["broken", "good"]  # the failure did not stop the next module
    assert "good module loaded" in out.getvalue()
    assert "RuntimeError: boom" in err.getvalue()
    assert Company.objects.filter(name="钩子测试物业").exists()
    assert not Company.objects.filter(name="不应留下的物业").exists()
    assert Region.objects.filter(code=city.CITY_CODE).exists()  # the city stays

    # Second run: the city is skipped, the modules run again (they are idempotent).
    monkeypatch.setattr(hooks, "_app_names", lambda: [("fakegood", "wanjia.fakegood")])
    out = StringIO()
    call_command("load_demo", "--scale", "small", stdout=out)
    assert calls == ["broken", "good", "good"]
    assert "already loaded" in out.getvalue()
    assert Company.objects.filter(name="钩子测试物业").count() == 1


def test_no_modules_skips_the_hook(db, monkeypatch):
    monkeypatch.setattr(hooks, "run_demo_modules", lambda stdout: pytest.fail("hook ran"))
    load("--no-modules")


def test_a_module_with_a_missing_import_is_an_error_not_a_skip(monkeypatch):
    def failing_import(name):
        raise ModuleNotFoundError("No module named 'nonexistent_dep'", name="nonexistent_dep")

    monkeypatch.setattr(hooks, "_app_names", lambda: [("x", "wanjia.x")])
    monkeypatch.setattr(hooks.importlib, "import_module", failing_import)
    with pytest.raises(ModuleNotFoundError):
        hooks.demo_modules()


def test_load_demo_prints_no_phone_or_id_number(db):
    """The output lands in terminals, CI logs and tickets: accounts are listed
    with masked phones, and no phone or ID number appears anywhere in it."""
    import re

    out = load("--no-modules")
    assert "Demo accounts" in out and "****" in out
    phones = set(User.objects.exclude(phone="").values_list("phone", flat=True))
    phones |= set(Resident.objects.exclude(phone="").values_list("phone", flat=True)[:2000])
    assert phones and not any(p in out for p in phones)
    assert not re.search(r"(?<![0-9])(1[3-9][0-9]{9}|[0-9]{17}[0-9X])(?![0-9])", out)
