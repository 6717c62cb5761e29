"""Search cannot rebuild what masking hides: what a role may search by, birth
dates as a year to roles that do not keep the registry, a per-user rate limit,
and an audit entry for every search that could match on a phone or ID number."""

import pytest
import time_machine
from django.urls import reverse

from wanjia.core.models import AuditLog
from wanjia.core.roles import Role
from wanjia.core.testing import grant, make_user
from wanjia.estates.models import Resident

pytestmark = pytest.mark.django_db

PHONE, ID = "13812345678", "11010519491231002X"  # 张伟 of compound A


def found(client, q) -> list[str]:
    r = client.get(reverse("console_search_in", args=["estates"]), {"q": q})
    assert r.status_code == 200, r.status_code
    return [x.name for x in r.context["results"]]


def api_found(client, q) -> list[str]:
    r = client.get("/api/v1/residents", {"q": q})
    assert r.status_code == 200, r.content
    return [x["name"] for x in r.json()["items"]]


@pytest.mark.parametrize("persona", ["leader_a", "staff_a", "secretary_a", "regulator"])
def test_a_role_that_sees_masked_phones_cannot_search_by_phone_digits(world, login, api, persona):
    """The guard, the building leader, the secretary and the regulator: a phone
    tail only narrows a name, and only by its last four digits (which the mask
    shows anyway); an ID number finds nobody."""
    user = getattr(world, persona)
    page, client = login(user), api(user)
    for q in ["5678", "45678", "345678", PHONE, ID, "张伟 45678", "张伟 12345678"]:
        assert found(page, q) == [], (persona, q)
        assert api_found(client, q) == [], (persona, q)
    assert found(page, "张伟 5678") == ["张伟"]
    assert api_found(client, "张伟 5678") == ["张伟"]
    assert found(page, "张伟 1234") == []


@pytest.mark.parametrize("persona", ["manager_a", "company_admin_a"])
def test_who_keeps_the_registry_still_finds_by_phone_tail_and_id(world, login, api, persona):
    user = getattr(world, persona)
    for q in ["5678", "345678", PHONE, ID, "张伟 45678"]:
        assert found(login(user), q) == ["张伟"], q
        assert api_found(api(user), q) == ["张伟"], q


def test_a_manager_elsewhere_cannot_search_by_phone_here(world):
    """Capabilities follow scope: managing compound B gives nothing in A, even
    when the same user only sees A's residents as a building leader."""
    grant(world.outsider_b, Role.BUILDING_LEADER, world.home.building)
    from django.test import Client

    client = Client()
    client.force_login(world.outsider_b)
    assert found(client, "5678") == []
    assert found(client, "张伟 5678") == ["张伟"]


def test_birth_dates_are_a_year_for_roles_that_do_not_keep_the_registry(world, api):
    from datetime import date

    Resident.objects.filter(name="张伟").update(birth_date=date(1949, 12, 31))

    def zhang(user):
        items = api(user).get("/api/v1/residents", {"q": "zw"}).json()["items"]
        return next(x for x in items if x["name"] == "张伟")

    for persona in ["leader_a", "staff_a", "secretary_a", "regulator"]:
        row = zhang(getattr(world, persona))
        assert row["birth_date"] is None and row["birth_year"] == 1949, persona
    row = zhang(world.manager_a)
    assert row["birth_date"] == "1949-12-31" and row["birth_year"] == 1949
    own = api(world.resident_a).get("/api/v1/residents").json()["items"]
    assert own[0]["birth_date"] == "1949-12-31"


def test_searches_by_identifier_are_audited_masked(world, login, api):
    found(login(world.manager_a), PHONE)
    api_found(api(world.leader_a), "张伟 5678")
    api_found(api(world.manager_a), ID)
    found(login(world.manager_a), "zw")  # a name only: not audited
    entries = list(AuditLog.objects.filter(action="estates.resident.searched").order_by("id"))
    got = [
        (e.actor.username, e.detail["by"], e.detail["query"], e.detail["matches"]) for e in entries
    ]
    assert got == [
        ("mgr_a", "phone", "*******5678", 1),
        ("leader_a", "phone", "张伟 5678", 1),
        ("mgr_a", "id_number", "1101**********002X", 1),
    ]
    assert all(PHONE not in str(e.detail) and ID not in str(e.detail) for e in entries)


# the window is the clock's minute: on a real clock the searches could straddle
# a minute boundary and start a fresh budget (a CI run did)
@time_machine.travel("2026-06-01 08:00:10+08:00", tick=False)
def test_search_is_rate_limited_per_user(world, login, api, settings):
    settings.RESIDENT_SEARCH_PER_MINUTE = 3
    page, client = login(world.manager_a), api(world.manager_a)
    assert found(page, "zw") == ["张伟"]
    assert api_found(client, "zw") == ["张伟"]
    assert found(page, "ln") == ["李娜"]
    r = client.get("/api/v1/residents", {"q": "zw"})
    assert r.status_code == 429 and "频繁" in r.json()["detail"]
    r = page.get(
        reverse("console_search_in", args=["estates"]),
        {"q": "zw"},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 429 and "Too many searches" in r.content.decode()
    # another user has a budget of their own
    other = make_user("mgr_a2")
    grant(other, Role.COMPOUND_MANAGER, world.a)
    assert found(login(other), "zw") == ["张伟"]


def test_the_rate_limit_window_is_a_minute(world, api, settings):
    import time_machine

    settings.RESIDENT_SEARCH_PER_MINUTE = 1
    client = api(world.manager_a)
    with time_machine.travel("2026-06-01 08:00:10+08:00", tick=False):
        assert client.get("/api/v1/residents", {"q": "zw"}).status_code == 200
        assert client.get("/api/v1/residents", {"q": "zw"}).status_code == 429
    with time_machine.travel("2026-06-01 08:01:10+08:00", tick=False):
        assert client.get("/api/v1/residents", {"q": "zw"}).status_code == 200
