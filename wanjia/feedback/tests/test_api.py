import pytest

from wanjia.feedback.models import Loop, Rating

from .conftest import rating_in, settled_case

pytestmark = pytest.mark.django_db


def test_rate_201_then_409_and_404(world, api, case_a):
    client = api(world.resident_a)
    body = {"subject": f"dispute:{case_a.pk}", "level": 2, "comment": "等太久"}
    r = client.post("/api/v1/ratings", body, content_type="application/json")
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["subject"] == f"dispute:{case_a.pk}" and out["level"] == 2
    assert out["loop"]["stage"] == "call"
    again = client.post("/api/v1/ratings", body, content_type="application/json")
    assert again.status_code == 409 and again.json()["detail"]
    theirs = settled_case(world.a, world.other_home)
    r = client.post(
        "/api/v1/ratings",
        {"subject": f"dispute:{theirs.pk}", "level": 5},
        content_type="application/json",
    )
    assert r.status_code == 404
    for subject in ("nothing:1", "dispute:abc", "dispute", ""):
        r = client.post(
            "/api/v1/ratings", {"subject": subject, "level": 5}, content_type="application/json"
        )
        assert r.status_code in (404, 422), subject
    assert Rating.objects.count() == 1 and Loop.objects.count() == 1


def test_rate_field_errors_and_idempotency(world, api):
    client = api(world.resident_a)
    case = settled_case(world.a, world.home)
    r = client.post(
        "/api/v1/ratings",
        {"subject": f"dispute:{case.pk}", "level": 9},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert any(e["field"].endswith("level") for e in r.json()["errors"])
    body = {"subject": f"dispute:{case.pk}", "level": 5}
    first = client.post(
        "/api/v1/ratings", body, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    replay = client.post(
        "/api/v1/ratings", body, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert Rating.objects.count() == 1


def test_satisfaction(world, api):
    rating_in(world.a, world.home, level=5)
    rating_in(world.a, world.home, level=2)
    r = api(world.manager_a).get(f"/api/v1/satisfaction?compound={world.a.pk}")
    assert r.status_code == 200
    assert r.json() == {
        "index": 60.0,
        "ratings": 2,
        "unhappy_open": 1,
        "formula": r.json()["formula"],
    }
    assert "÷" in r.json()["formula"]
    assert (
        api(world.manager_a).get(f"/api/v1/satisfaction?compound={world.b.pk}").status_code == 404
    )
    assert (
        api(world.resident_a).get(f"/api/v1/satisfaction?compound={world.a.pk}").status_code == 403
    )
    assert api(world.manager_a).get("/api/v1/satisfaction?compound=x").status_code == 422
