import pytest
import time_machine

from wanjia.conveniences import services
from wanjia.conveniences.models import Booking, Slot, Status, Suspension

from .conftest import DAY, MORNING

pytestmark = pytest.mark.django_db


@time_machine.travel(MORNING, tick=False)
def test_services_and_slots(conv, api):
    client = api(conv.resident_a)
    r = client.get(f"/api/v1/services?compound={conv.a.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 4
    assert set(body["items"][0]) == {"id", "name", "kind", "price"}
    r = client.get(f"/api/v1/services/{conv.s['hair'].pk}/slots?date={DAY.isoformat()}")
    items = r.json()["items"]
    assert r.json()["count"] == 8 and items[0]["left"] == 1 and items[0]["capacity"] == 1
    assert items[0]["starts_at"].startswith("2026-03-10T09:00:00+08:00")
    # the week's handout shows on any day of the week
    r = client.get(f"/api/v1/services/{conv.s['masks'].pk}/slots?date=2026-03-13")
    assert r.json()["count"] == 1
    assert (
        client.get(f"/api/v1/services/{conv.s['hair'].pk}/slots?date=2026-13-01").status_code == 422
    )


@time_machine.travel(MORNING, tick=False)
def test_book_idempotent_conflict_and_cancel(conv, api):
    client = api(conv.resident_a)
    slot = conv.s["bus_slot"]
    post = lambda key, sid=slot.pk: client.post(  # noqa: E731
        "/api/v1/bookings",
        data={"slot": sid},
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )
    assert post("").status_code == 400
    r = post("k1")
    assert r.status_code == 201 and r.json()["status"] == "booked"
    again = post("k1")
    assert again.status_code == 201 and again.json() == r.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Booking.objects.filter(slot=slot).count() == 1
    reused = post("k1", conv.s["mask_slot"].pk)  # the same key for another booking
    assert reused.status_code == 422 and reused.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Booking.objects.filter(slot=conv.s["mask_slot"]).exists()
    dup = post("k2")
    assert dup.status_code == 409 and dup.json()["detail"]
    Slot.objects.filter(pk=slot.pk).update(booked=10)
    other = api(conv.staff_a).post(
        "/api/v1/bookings",
        data={"slot": slot.pk, "household": conv.other_home.pk},
        content_type="application/json",
        headers={"Idempotency-Key": "s1"},
    )
    assert other.status_code == 409 and "约满" in other.json()["detail"]
    cancel = client.post(
        f"/api/v1/bookings/{r.json()['id']}/cancel", data={}, content_type="application/json"
    )
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert (
        client.post(
            f"/api/v1/bookings/{r.json()['id']}/cancel", data={}, content_type="application/json"
        ).status_code
        == 409
    )


@time_machine.travel(MORNING, tick=False)
def test_waitlisted_and_suspended(conv, api):
    client = api(conv.resident_a)
    slot = conv.s["hair_9"]
    Slot.objects.filter(pk=slot.pk).update(booked=1)
    r = client.post(
        "/api/v1/bookings",
        data={"slot": slot.pk},
        content_type="application/json",
        headers={"Idempotency-Key": "w1"},
    )
    assert r.status_code == 201 and r.json()["status"] == Status.WAITLISTED
    Suspension.objects.create(
        compound=conv.a,
        household=conv.home,
        starts_at=MORNING,
        ends_at=services.add_months(MORNING, 3),
        reason="爽约",
        no_shows=[1, 2, 3],
    )
    r = client.post(
        "/api/v1/bookings",
        data={"slot": conv.s["mask_slot"].pk},
        content_type="application/json",
        headers={"Idempotency-Key": "w2"},
    )
    assert r.status_code == 403
    assert r.json()["until"] == "2026-06-10" and "2026-06-10" in r.json()["detail"]
