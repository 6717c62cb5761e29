"""The tenancy matrix: for every endpoint, who is allowed, which role is refused
(403), which tenant cannot even see the record (404, the same body as a missing
id), and that a refused write changes nothing.

Personas (``make_world``): compound A with a resident, a manager, a building
leader of A's first building, a party secretary, staff, a volunteer and the
company admin of A's company; a manager of compound B (``outsider_b``); a
regulator of the city that holds A and B. Compound X lies in another city."""

import json

import pytest
from django.test import Client

from wanjia.core.models import ApiToken, AuditLog
from wanjia.estates.models import Household, Resident
from wanjia.estates.testing import make_compound, make_region_tree, make_resident

pytestmark = pytest.mark.django_db

MISSING = 2**62
EVERYONE = (
    "resident_a",
    "manager_a",
    "leader_a",
    "secretary_a",
    "staff_a",
    "volunteer_a",
    "company_admin_a",
    "outsider_b",
    "regulator",
)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def x(world):
    """A compound in another city, outside even the regulator's region."""
    compound = make_compound("远方小区", community=make_region_tree("X")["community"])
    make_resident(compound.households.first(), "赵远", phone="13600003333")
    return compound


@pytest.fixture
def as_(world, api):
    clients = {}

    def _as(persona: str):
        if persona not in clients:
            clients[persona] = api(getattr(world, persona))
        return clients[persona]

    return _as


def send(client, method: str, url: str, body=None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def not_found_body(client, method: str, url_template: str, body=None):
    return send(client, method, url_template.format(MISSING), body).json()


def assert_404_like_missing(client, method: str, url_template: str, other_id: int, body=None):
    """Another tenant's record answers exactly as a record that does not exist."""
    r = send(client, method, url_template.format(other_id), body)
    assert r.status_code == 404, (url_template, r.status_code, r.content)
    assert r.json() == not_found_body(client, method, url_template, body)
    assert r.json() == {"detail": "未找到该记录。", "errors": []}


def snapshot():
    """Everything a refused write could have touched."""
    return (
        list(Resident.objects.order_by("pk").values()),
        Household.objects.count(),
        AuditLog.objects.count(),
    )


def second_building_home(world) -> Household:
    return world.a.households.exclude(building=world.home.building).order_by("id").first()


# -- GET /me and DELETE /auth/token ------------------------------------------------


@pytest.mark.parametrize("persona", EVERYONE)
def test_me_is_each_persona_itself(world, as_, persona):
    me = as_(persona).get("/api/v1/me").json()
    assert me["id"] == getattr(world, persona).pk
    assert len(me["roles"]) == 1


def test_me_anonymous_is_401():
    assert Client().get("/api/v1/me").status_code == 401


def test_revoking_a_token_touches_only_ones_own(world, api):
    other = api(world.outsider_b)
    mine = api(world.manager_a)
    assert mine.delete("/api/v1/auth/token").status_code == 204
    assert other.get("/api/v1/me").status_code == 200
    assert ApiToken.objects.filter(user=world.outsider_b, revoked_at__isnull=True).count() == 1


# -- compounds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("resident_a", ["a"]),
        ("manager_a", ["a"]),
        ("leader_a", ["a"]),
        ("secretary_a", ["a"]),
        ("staff_a", ["a"]),
        ("volunteer_a", ["a"]),
        ("company_admin_a", ["a"]),
        ("outsider_b", ["b"]),
        ("regulator", ["a", "b"]),
    ],
)
def test_compound_list_is_scoped(world, x, as_, persona, sees):
    body = as_(persona).get("/api/v1/compounds").json()
    assert sorted(c["id"] for c in body["items"]) == sorted(getattr(world, s).pk for s in sees)
    assert body["count"] == len(sees)


def test_compound_list_of_a_user_without_memberships_is_empty(world, api):
    from wanjia.estates.testing import make_user

    assert api(make_user("nobody")).get("/api/v1/compounds").json() == {"items": [], "count": 0}


@pytest.mark.parametrize("persona", EVERYONE)
def test_compound_detail_other_tenant_is_404(world, x, as_, persona):
    own = world.b if persona == "outsider_b" else world.a
    other = world.a if persona == "outsider_b" else world.b
    if persona == "regulator":
        other = x
    client = as_(persona)
    assert client.get(f"/api/v1/compounds/{own.pk}").status_code == 200
    assert_404_like_missing(client, "get", "/api/v1/compounds/{}", other.pk)
    assert_404_like_missing(client, "get", "/api/v1/compounds/{}/buildings", other.pk)


@pytest.mark.parametrize(
    "persona, buildings",
    [
        ("manager_a", 2),
        ("volunteer_a", 2),
        ("company_admin_a", 2),
        ("regulator", 2),
        ("leader_a", 1),  # only their own building
        ("resident_a", 1),  # only the building they live in
    ],
)
def test_compound_buildings_are_scoped(world, as_, persona, buildings):
    body = as_(persona).get(f"/api/v1/compounds/{world.a.pk}/buildings").json()
    assert body["count"] == buildings
    if buildings == 1:
        assert body["items"][0]["id"] == world.home.building_id


# -- GET /households/{id} ---------------------------------------------------------


@pytest.mark.parametrize(
    "persona, home, status",
    [
        ("resident_a", "home", 200),
        ("resident_a", "other_home", 404),  # a neighbour's household
        ("leader_a", "home", 200),
        ("leader_a", "other_home", 200),  # same building
        ("leader_a", "second_building", 404),
        ("manager_a", "second_building", 200),
        ("secretary_a", "other_home", 200),
        ("staff_a", "other_home", 200),
        ("company_admin_a", "other_home", 200),
        ("regulator", "b_home", 200),
        ("manager_a", "b_home", 404),
        ("outsider_b", "home", 404),
        ("outsider_b", "b_home", 200),
        ("volunteer_a", "home", 403),  # volunteers do not see the registry
        ("volunteer_a", "b_home", 403),
    ],
)
def test_household_detail_matrix(world, as_, persona, home, status):
    household = second_building_home(world) if home == "second_building" else getattr(world, home)
    r = as_(persona).get(f"/api/v1/households/{household.pk}")
    assert r.status_code == status, r.content
    if status == 404:
        assert r.json() == not_found_body(as_(persona), "get", "/api/v1/households/{}")
    if status == 403:
        assert r.json() == {"detail": "您的角色没有权限执行此操作。", "errors": []}


def test_regulator_household_outside_the_region_is_404(world, x, as_):
    assert_404_like_missing(
        as_("regulator"), "get", "/api/v1/households/{}", x.households.first().pk
    )


# -- GET /residents and /residents/{id} ---------------------------------------------------


@pytest.mark.parametrize(
    "persona, names",
    [
        ("resident_a", ["张伟"]),  # their own household only
        ("leader_a", ["张伟", "李娜"]),  # their building
        ("manager_a", ["张伟", "李娜"]),
        ("secretary_a", ["张伟", "李娜"]),
        ("staff_a", ["张伟", "李娜"]),
        ("company_admin_a", ["张伟", "李娜"]),
        ("outsider_b", ["王芳"]),
        ("regulator", ["张伟", "李娜", "王芳"]),  # the whole region, masked
    ],
)
def test_resident_list_is_scoped(world, x, as_, persona, names):
    make_resident(second_building_home(world), "二栋人")
    if persona in ("manager_a", "secretary_a", "staff_a", "company_admin_a", "regulator"):
        names = [*names, "二栋人"]  # listed by id: the newest last
    items = as_(persona).get("/api/v1/residents").json()["items"]
    assert [r["name"] for r in items] == names
    assert all("*" in r["phone"] for r in items if r["phone"])


def test_volunteer_cannot_list_residents(world, as_):
    r = as_("volunteer_a").get("/api/v1/residents")
    assert r.status_code == 403
    r = as_("volunteer_a").get(f"/api/v1/residents/{Resident.objects.first().pk}")
    assert r.status_code == 403


@pytest.mark.parametrize(
    "persona, query",
    [
        ("manager_a", "compound={b}"),
        ("outsider_b", "compound={a}"),
        ("regulator", "compound={x}"),
        ("leader_a", "building={second}"),
        ("resident_a", "building={second}"),
        ("manager_a", "building={b_building}"),
    ],
)
def test_resident_list_filter_on_another_tenant_is_404(world, x, as_, persona, query):
    ids = {
        "a": world.a.pk,
        "b": world.b.pk,
        "x": x.pk,
        "second": second_building_home(world).building_id,
        "b_building": world.b_home.building_id,
    }
    client = as_(persona)
    r = client.get("/api/v1/residents?" + query.format(**ids))
    assert r.status_code == 404
    missing = client.get("/api/v1/residents?" + query.split("=")[0] + f"={MISSING}")
    assert r.json() == missing.json()


@pytest.mark.parametrize(
    "persona, resident, status",
    [
        ("resident_a", "张伟", 200),
        ("resident_a", "李娜", 404),
        ("leader_a", "李娜", 200),
        ("manager_a", "王芳", 404),
        ("outsider_b", "张伟", 404),
        ("regulator", "王芳", 200),
        ("regulator", "赵远", 404),
    ],
)
def test_resident_detail_matrix(world, x, as_, persona, resident, status):
    pk = Resident.objects.get(name=resident).pk
    r = as_(persona).get(f"/api/v1/residents/{pk}")
    assert r.status_code == status
    if status == 404:
        assert r.json() == not_found_body(as_(persona), "get", "/api/v1/residents/{}")
    else:
        assert "*" in r.json()["phone"]


# -- POST /residents ---------------------------------------------------------------


def new_resident(household) -> dict:
    return {"household": household.pk, "name": "新住户", "phone": "13566667777"}


@pytest.mark.parametrize("persona", ["manager_a", "company_admin_a"])
def test_create_resident_allowed(world, as_, persona):
    r = send(as_(persona), "post", "/api/v1/residents", new_resident(world.other_home))
    assert r.status_code == 201, r.content
    assert Resident.objects.filter(name="新住户", household=world.other_home).exists()


@pytest.mark.parametrize(
    "persona",
    ["resident_a", "leader_a", "secretary_a", "staff_a", "volunteer_a", "regulator"],
)
def test_create_resident_wrong_role_is_403_and_writes_nothing(world, as_, persona):
    client = as_(persona)  # issuing the token is audited: before the snapshot
    before = snapshot()
    r = send(client, "post", "/api/v1/residents", new_resident(world.home))
    assert r.status_code == 403, r.content
    assert snapshot() == before


@pytest.mark.parametrize(
    "persona, household",
    [("outsider_b", "home"), ("manager_a", "b_home"), ("company_admin_a", "b_home")],
)
def test_create_resident_other_tenant_is_404_and_writes_nothing(world, as_, persona, household):
    client = as_(persona)
    before = snapshot()
    target = getattr(world, household)
    r = send(client, "post", "/api/v1/residents", new_resident(target))
    assert r.status_code == 404
    missing = send(
        as_(persona), "post", "/api/v1/residents", {**new_resident(target), "household": MISSING}
    )
    assert r.json() == missing.json()
    assert snapshot() == before


# -- PATCH /residents/{id} -------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager_a", "company_admin_a"])
def test_update_resident_allowed(world, as_, persona):
    pk = Resident.objects.get(name="李娜").pk
    r = send(as_(persona), "patch", f"/api/v1/residents/{pk}", {"lives_alone": True})
    assert r.status_code == 200
    assert Resident.objects.get(pk=pk).lives_alone is True


@pytest.mark.parametrize(
    "persona",
    ["resident_a", "leader_a", "secretary_a", "staff_a", "volunteer_a", "regulator"],
)
def test_update_resident_wrong_role_is_403_and_changes_nothing(world, as_, persona):
    pk = Resident.objects.get(name="张伟").pk
    client = as_(persona)
    before = snapshot()
    r = send(client, "patch", f"/api/v1/residents/{pk}", {"name": "改名", "phone": ""})
    assert r.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("persona, name", [("outsider_b", "张伟"), ("manager_a", "王芳")])
def test_update_resident_other_tenant_is_404_and_changes_nothing(world, as_, persona, name):
    pk = Resident.objects.get(name=name).pk
    client = as_(persona)
    before = snapshot()
    assert_404_like_missing(client, "patch", "/api/v1/residents/{}", pk, {"name": "改名"})
    assert snapshot() == before


# -- POST /residents/{id}/reveal ------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, field, status",
    [
        ("manager_a", "phone", 200),
        ("manager_a", "id_number", 200),
        ("company_admin_a", "id_number", 200),
        ("secretary_a", "phone", 200),
        ("leader_a", "phone", 200),
        ("leader_a", "id_number", 403),
        ("secretary_a", "id_number", 403),
        ("staff_a", "phone", 403),
        ("resident_a", "phone", 403),
        ("volunteer_a", "phone", 403),
        ("regulator", "phone", 403),
        ("regulator", "id_number", 403),
        ("outsider_b", "phone", 404),
        ("outsider_b", "id_number", 404),
    ],
)
def test_reveal_matrix(world, as_, persona, field, status):
    pk = Resident.objects.get(name="张伟").pk
    client = as_(persona)
    before = snapshot()
    r = send(client, "post", f"/api/v1/residents/{pk}/reveal", {"field": field})
    assert r.status_code == status, r.content
    if status == 200:
        expected = {"phone": "13812345678", "id_number": "11010519491231002X"}[field]
        assert r.json() == {"field": field, "value": expected}
        entry = AuditLog.objects.latest("id")
        assert entry.action == f"estates.resident.revealed_{field}"
        assert entry.actor == getattr(world, persona) and entry.compound == world.a
    else:
        assert snapshot() == before  # a refused reveal is not even logged as one
        if status == 404:
            assert r.json() == not_found_body(
                as_(persona), "post", "/api/v1/residents/{}/reveal", {"field": field}
            )


def test_leader_reveal_outside_their_building_is_404(world, as_):
    far = make_resident(second_building_home(world), "二栋人", phone="13700007777")
    assert_404_like_missing(
        as_("leader_a"), "post", "/api/v1/residents/{}/reveal", far.pk, {"field": "phone"}
    )


# -- GET /audit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    ["resident_a", "manager_a", "leader_a", "secretary_a", "staff_a", "volunteer_a", "outsider_b"],
)
def test_audit_wrong_role_is_403(world, as_, persona):
    assert as_(persona).get("/api/v1/audit").status_code == 403


def test_audit_company_admin_sees_own_company_only(world, x, as_):
    items = as_("company_admin_a").get("/api/v1/audit?limit=200").json()["items"]
    assert items and {e["company"] for e in items} == {world.a.company_id}
    assert_404_like_missing(as_("company_admin_a"), "get", "/api/v1/audit?compound={}", world.b.pk)


def test_audit_regulator_sees_own_region_only(world, x, as_):
    items = as_("regulator").get("/api/v1/audit?limit=200").json()["items"]
    assert {e["compound"] for e in items} == {world.a.pk, world.b.pk}
    assert_404_like_missing(as_("regulator"), "get", "/api/v1/audit?compound={}", x.pk)


# -- one sweep ----------------------------------------------------------------------------


def test_every_persona_sees_only_what_its_memberships_reach(world, x, as_):
    """One sweep over all list endpoints: nobody in A or B ever sees compound X."""
    for persona in EVERYONE:
        client = as_(persona)
        compounds = client.get("/api/v1/compounds").json()["items"]
        assert x.pk not in {c["id"] for c in compounds}
        residents = client.get("/api/v1/residents")
        if residents.status_code == 200:
            assert "赵远" not in {r["name"] for r in residents.json()["items"]}
        entries = client.get("/api/v1/audit?limit=200")
        if entries.status_code == 200:
            assert x.pk not in {e["compound"] for e in entries.json()["items"]}


@pytest.mark.parametrize("persona", [*EVERYONE, "superuser"])
def test_sees_compound_agrees_with_scope_q(world, x, persona):
    """The Python twin of the tenancy filter (for plain-SQL hot paths) says
    yes to exactly the compounds the filter lets through."""
    from django.contrib.auth import get_user_model

    from wanjia.core.models import Compound
    from wanjia.core.scoping import scope_q, sees_compound

    if persona == "superuser":
        user = get_user_model().objects.create_superuser("root_x", password="x")
    else:
        user = get_user_model().objects.get(pk=getattr(world, persona).pk)  # fresh memberships
    seen = set(Compound.objects.filter(scope_q(user, compound="id")).values_list("pk", flat=True))
    for compound in Compound.objects.all():
        assert sees_compound(user, compound) == (compound.pk in seen), (persona, compound.name)
    assert seen  # every persona sees some compound
