"""The API contract of issue 2 item 6: names, shapes, paging and the error body.

Other programs (a WeChat mini-program, the city's systems) build on these
names, so the tests spell the JSON out rather than reuse the schemas."""

import json

import pytest
from django.test import Client
from django.utils import translation

from wanjia.core.models import ApiToken
from wanjia.estates.models import Resident
from wanjia.estates.testing import PASSWORD, make_resident

pytestmark = pytest.mark.django_db

MISSING = 2**62  # an id no table reaches


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def post_json(client, url, data, **extra):
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


def patch_json(client, url, data, **extra):
    return client.patch(url, data=json.dumps(data), content_type="application/json", **extra)


def assert_error(response, status, *fields):
    """The one error shape: ``{"detail", "errors": [{"field", "message"}]}``, JSON."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    for err in body["errors"]:
        assert set(err) == {"field", "message"} and err["message"]
    assert [e["field"] for e in body["errors"]] == list(fields)
    return body


# -- auth and /me -------------------------------------------------------------


def test_token_for_username_then_bearer_calls(world):
    r = post_json(Client(), "/api/v1/auth/token", {"username": "mgr_a", "password": PASSWORD})
    assert r.status_code == 200
    assert set(r.json()) == {"token"}
    bearer = Client(headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert bearer.get("/api/v1/me").json()["username"] == "mgr_a"


def test_token_for_phone_number(world):
    r = post_json(Client(), "/api/v1/auth/token", {"username": "13812345678", "password": PASSWORD})
    assert r.status_code == 200
    token = r.json()["token"]
    me = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me").json()
    assert me["id"] == world.resident_a.pk


def test_token_is_stored_only_as_a_hash(world):
    token = post_json(
        Client(), "/api/v1/auth/token", {"username": "mgr_a", "password": PASSWORD}
    ).json()["token"]
    row = ApiToken.objects.get(user=world.manager_a)
    assert token not in (row.key_hash, row.prefix) and row.key_hash == ApiToken.hash_key(token)


def test_wrong_password_is_401_in_the_error_shape(world):
    r = post_json(Client(), "/api/v1/auth/token", {"username": "mgr_a", "password": "nope"})
    assert_error(r, 401)


def test_me_shape(world, api):
    me = api(world.leader_a).get("/api/v1/me").json()
    assert me == {
        "id": world.leader_a.pk,
        "username": "leader_a",
        "display_name": "陈楼长",
        "roles": [
            {
                "role": "building_leader",
                "scope_type": "building",
                "scope_id": world.home.building_id,
            }
        ],
    }


def test_me_without_credentials_is_401(world):
    assert_error(Client().get("/api/v1/me"), 401)
    assert_error(Client(headers={"Authorization": "Bearer not-a-token"}).get("/api/v1/me"), 401)
    assert_error(Client(headers={"Authorization": "Basic eDp5"}).get("/api/v1/me"), 401)


# -- compounds and buildings ---------------------------------------------------


def test_compound_list_shape_and_counts(world, api):
    make_resident(world.home, "张小伟", lives_alone=False)
    body = api(world.manager_a).get("/api/v1/compounds").json()
    assert body["count"] == 1
    (c,) = body["items"]
    a = world.a
    assert c["id"] == a.pk and c["name"] == "幸福里" and c["kind"] == "commodity"
    assert c["company"] == a.company_id and c["company_name"] == a.company.name
    assert c["building_count"] == 2
    assert c["household_count"] == a.households.count() == 12
    assert c["resident_count"] == Resident.objects.filter(compound=a).count() == 3
    assert c["alone_count"] == 1


def test_compound_detail_and_buildings(world, api):
    client = api(world.manager_a)
    detail = client.get(f"/api/v1/compounds/{world.a.pk}").json()
    assert detail["id"] == world.a.pk and detail["household_count"] == 12
    buildings = client.get(f"/api/v1/compounds/{world.a.pk}/buildings").json()
    assert buildings["count"] == 2
    first = buildings["items"][0]
    assert set(first) >= {"id", "name", "compound", "floors", "has_elevator", "household_count"}
    assert first["name"] == "1栋" and first["compound"] == world.a.pk
    assert first["household_count"] == 6 and first["resident_count"] == 2


def test_paging_limit_offset_and_count(world, api):
    client = api(world.manager_a)
    for i in range(5):
        make_resident(world.home, f"住户{i}")
    page = client.get("/api/v1/residents?limit=2&offset=1").json()
    everything = client.get("/api/v1/residents").json()
    assert page["count"] == everything["count"] == 7
    assert [r["id"] for r in page["items"]] == [r["id"] for r in everything["items"]][1:3]
    assert client.get("/api/v1/residents?offset=100").json() == {"items": [], "count": 7}


@pytest.mark.parametrize(
    "query, field",
    [("limit=0", "limit"), ("limit=201", "limit"), ("offset=-1", "offset"), ("limit=x", "limit")],
)
def test_paging_bounds(world, api, query, field):
    assert_error(api(world.manager_a).get(f"/api/v1/compounds?{query}"), 422, field)


def test_openapi_documents_paging_and_every_error(world):
    spec = Client().get("/api/v1/openapi.json").json()
    for path in ("/api/v1/compounds", "/api/v1/residents", "/api/v1/audit"):
        op = spec["paths"][path]["get"]
        params = {p["name"]: p for p in op["parameters"]}
        assert params["limit"]["schema"]["maximum"] == 200
        assert params["offset"]["schema"]["minimum"] == 0
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        paged = spec["components"]["schemas"][ok["$ref"].rsplit("/", 1)[1]]
        assert set(paged["required"]) == {"items", "count"}
    mine = ("/api/v1/me", "/api/v1/compounds", "/api/v1/households", "/api/v1/residents")
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if path.startswith(mine) or path == "/api/v1/audit":
                assert {"400", "401", "403", "404", "422"} <= set(op["responses"]), (method, path)
    token = spec["paths"]["/api/v1/auth/token"]["post"]
    assert token.get("security", [{}]) == [{}]  # the one call without credentials
    assert {"200", "401", "422", "429"} <= set(token["responses"])


def test_docs_are_served(world):
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    assert b"cdn." not in r.content.lower()


# -- households and residents ------------------------------------------------------


def test_household_shape(world, api):
    body = api(world.manager_a).get(f"/api/v1/households/{world.home.pk}").json()
    assert body["id"] == world.home.pk and body["room"] == "101" and body["unit"] == "1单元"
    assert body["building"] == world.home.building_id and body["building_name"] == "1栋"
    assert body["compound"] == world.a.pk
    (r,) = body["residents"]
    assert r["name"] == "张伟" and r["phone"] == "138****5678"
    assert r["id_number"] == "1101**********002X"


def test_resident_shape(world, api):
    (r,) = api(world.manager_a).get("/api/v1/residents?q=zw").json()["items"]
    assert r["name"] == "张伟"
    assert r["phone"] == "138****5678"  # masked in every list
    assert r["household"] == world.home.pk and r["compound"] == world.a.pk
    assert r["lives_alone"] is True and r["relation"] == "owner"
    assert "health_notes" not in r and "emergency_contacts" not in r


@pytest.mark.parametrize(
    "q, names",
    [
        ("张", ["张伟"]),
        ("zhangwei", ["张伟"]),
        ("zw", ["张伟"]),
        ("ln", ["李娜"]),
        ("5678", ["张伟"]),  # phone tail
        ("101", ["张伟"]),  # room
        ("1栋-102", ["李娜"]),
        ("11010519491231002X", ["张伟"]),  # whole ID number, through the keyed hash
        ("110105194912310011", []),
        ("没有这个人", []),
    ],
)
def test_resident_search(world, api, q, names):
    body = api(world.manager_a).get("/api/v1/residents", {"q": q}).json()
    assert [r["name"] for r in body["items"]] == names


def test_resident_filters(world, api):
    client = api(world.manager_a)
    by_compound = client.get(f"/api/v1/residents?compound={world.a.pk}").json()
    assert by_compound["count"] == 2
    alone = client.get(f"/api/v1/residents?compound={world.a.pk}&lives_alone=true").json()
    assert [r["name"] for r in alone["items"]] == ["张伟"]
    by_building = client.get(f"/api/v1/residents?building={world.home.building_id}").json()
    assert by_building["count"] == 2


def test_resident_create(world, api):
    payload = {
        "household": world.other_home.pk,
        "name": "王小明",
        "relation": "tenant",
        "gender": "M",
        "phone": "13911112222",
        "id_number": "11010519491231002x",
        "birth_date": "1949-12-31",
        "health_notes": "高血压",
        "emergency_contacts": [{"name": "王大明", "phone": "13800000000", "relation": "子"}],
    }
    r = post_json(api(world.manager_a), "/api/v1/residents", payload)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "王小明" and body["phone"] == "139****2222"
    assert body["household"] == world.other_home.pk and body["compound"] == world.a.pk
    saved = Resident.objects.get(pk=body["id"])
    assert saved.id_number == "11010519491231002X"  # normalised to upper case
    assert saved.name_initials == "wxm" and saved.health_notes == "高血压"


def test_resident_patch(world, api):
    resident = Resident.objects.get(name="李娜")
    r = patch_json(
        api(world.manager_a),
        f"/api/v1/residents/{resident.pk}",
        {"name": "李娜娜", "lives_alone": True, "birth_date": "1950-01-02"},
    )
    assert r.status_code == 200, r.content
    resident.refresh_from_db()
    assert (resident.name, resident.lives_alone, str(resident.birth_date)) == (
        "李娜娜",
        True,
        "1950-01-02",
    )
    assert resident.name_pinyin == "linana"
    # null clears the birth date; for other fields it leaves them alone
    patch_json(
        api(world.manager_a), f"/api/v1/residents/{resident.pk}", {"birth_date": None, "name": None}
    )
    resident.refresh_from_db()
    assert resident.birth_date is None and resident.name == "李娜娜"


# -- errors --------------------------------------------------------------------


def test_unknown_url_under_the_api_is_a_json_404(world, api):
    for url in ("/api/v1/nothing-here", "/api/v1/compounds/1/nothing", "/api/v1/"):
        assert_error(api(world.manager_a).get(url), 404)
    assert_error(Client().delete("/api/v1/nothing-here"), 404)


def test_wrong_method_is_a_json_405_with_allow(world, api):
    r = api(world.manager_a).put("/api/v1/compounds")
    assert_error(r, 405)
    assert "GET" in r["Allow"]
    r = api(world.manager_a).delete(f"/api/v1/residents/{world.home.pk}")
    assert_error(r, 405)
    assert set(r["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


def test_malformed_json_is_a_400(world, api):
    r = api(world.manager_a).post(
        "/api/v1/residents", data="{not json", content_type="application/json"
    )
    assert_error(r, 400)


@pytest.mark.parametrize("body", [[], "x", 5, None, [{"household": 1}]])
def test_a_body_that_is_not_an_object_is_a_422(world, api, body):
    before = Resident.objects.count()
    r = post_json(api(world.manager_a), "/api/v1/residents", body)
    assert r.status_code in (400, 422), r.content
    assert_error(r, r.status_code, *(["__all__"] if r.status_code == 422 else []))
    r = patch_json(api(world.manager_a), f"/api/v1/residents/{Resident.objects.first().pk}", body)
    assert r.status_code in (400, 422)
    assert Resident.objects.count() == before


def test_wrong_types_name_the_fields(world, api):
    r = post_json(
        api(world.manager_a),
        "/api/v1/residents",
        {"household": "x", "name": 5, "lives_alone": "maybe", "birth_date": 0},
    )
    body = assert_error(r, 422, "household", "name", "birth_date", "lives_alone")
    assert all("应为" in e["message"] or "格式" in e["message"] for e in body["errors"])


def test_oversize_values_are_422(world, api):
    client = api(world.manager_a)
    r = post_json(client, "/api/v1/residents", {"household": world.home.pk, "name": "张" * 51})
    body = assert_error(r, 422, "name")
    assert "50" in body["errors"][0]["message"]
    assert_error(client.get(f"/api/v1/compounds/{2**63}"), 422, "compound_id")
    assert_error(client.get(f"/api/v1/compounds?offset={10**30}"), 422, "offset")
    assert_error(client.get("/api/v1/residents", {"q": "x" * 51}), 422, "q")
    r = post_json(
        client,
        "/api/v1/residents",
        {"household": world.home.pk, "name": "甲", "emergency_contacts": [{"name": "乙"}] * 11},
    )
    assert_error(r, 422, "emergency_contacts")


def test_oversize_body_is_a_413(world, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = post_json(api(world.manager_a), "/api/v1/residents", {"name": "x" * 2000})
    assert_error(r, 413)


def test_nul_bytes_never_reach_the_database(world, api):
    client = api(world.manager_a)
    assert_error(client.get("/api/v1/residents", {"q": "a\x00b"}), 422, "q")
    r = post_json(client, "/api/v1/residents", {"household": world.home.pk, "name": "a\x00b"})
    assert_error(r, 422, "name")
    r = post_json(Client(), "/api/v1/auth/token", {"username": "a\x00", "password": "b"})
    assert_error(r, 422, "username")


def test_business_validation_names_the_field(world, api):
    r = post_json(
        api(world.manager_a),
        "/api/v1/residents",
        {
            "household": world.home.pk,
            "name": "  ",
            "phone": "12345",
            "id_number": "110105194912310021",
        },
    )
    body = assert_error(r, 422, "name", "phone", "id_number")
    assert "校验位" in body["errors"][2]["message"]


def test_errors_follow_accept_language(world, api):
    """zh-hans by default; with ``Accept-Language: en`` the English catalogue is used
    (whatever it holds at the time: translations are added in one pass later)."""
    zh = api(world.manager_a).get(f"/api/v1/compounds/{MISSING}")
    assert zh.json()["detail"] == "未找到该记录。"
    assert zh["Content-Language"] == "zh-hans"
    en = api(world.manager_a).get(f"/api/v1/compounds/{MISSING}", HTTP_ACCEPT_LANGUAGE="en")
    assert en["Content-Language"] == "en"
    with translation.override("en"):
        assert en.json()["detail"] == translation.gettext("未找到该记录。")
    unauth = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        assert unauth.json()["detail"] == translation.gettext("请先登录或提供有效的令牌。")
