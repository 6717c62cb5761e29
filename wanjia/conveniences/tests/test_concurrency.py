"""No overbooking, ever (PostgreSQL: real concurrent transactions; SQLite
serialises writers, so the race cannot be staged there). 50 households at
once for 10 seats: exactly 10 booked, the other 40 waitlisted (or, without a
waitlist, 40 clear refusals); one household tapping 10 times at once holds
one booking."""

import threading

import pytest
from django.db import connection, connections

from wanjia.conveniences import services
from wanjia.conveniences.models import Booking, Service, Slot, Status
from wanjia.core.errors import Conflict
from wanjia.core.idempotency import Once
from wanjia.core.models import User
from wanjia.core.roles import Role
from wanjia.estates.models import Household
from wanjia.estates.testing import grant, make_compound, make_user

from .conftest import MORNING, build_services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def _race(world, slot, households, *, actor_of=None, key_of=None):
    """Each household's booking in its own thread and connection, all let go
    at once; returns each outcome (status, or the refusal's message). With
    ``key_of(n)``, the API's way: behind an Idempotency-Key (one statement on
    PostgreSQL), a replayed answer marked "replayed:"."""
    barrier = threading.Barrier(len(households))
    results, errors = [], []
    lock = threading.Lock()
    user_id = (actor_of or world.staff_a).pk

    # everything a thread needs is read here: a thread opens a connection
    # only for its booking (the pool holds 20; 50 waiting at the barrier with
    # one each would exhaust it)
    users = [User.objects.get(pk=user_id) for _h in households]
    homes = [Household.objects.select_related("compound").get(pk=h.pk) for h in households]
    fresh = [
        Slot.objects.select_related("service", "compound").get(pk=slot.pk) for _h in households
    ]

    def tap(n):
        out = None
        try:
            barrier.wait(timeout=60)
            if key_of is None:
                b = services.booking_create(
                    actor=users[n], slot=fresh[n], household=homes[n], now=MORNING
                )
                out = b.status
            else:
                once = Once.of(
                    user=users[n], scope="conveniences.booking", key=key_of(n), payload=slot.pk
                )
                _code, body, replayed = services.booking_create_once(
                    actor=users[n], slot=fresh[n], household=homes[n], once=once, now=MORNING
                )
                out = ("replayed:" if replayed else "") + f"{body['status']}:{body['id']}"
        except Conflict as exc:
            out = "refused:" + exc.message
        except Exception as exc:  # noqa: BLE001  reported below
            barrier.abort()
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()
        if out is not None:
            with lock:
                results.append(out)

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(len(households))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    return results


def _fifty(world):
    big = make_compound("压测苑", buildings=5, floors=5, rooms_per_floor=2)
    staff = grant(make_user("conv_staff_big"), Role.STAFF, big)
    homes = list(Household.objects.filter(compound=big).order_by("id")[:50])
    assert len(homes) == 50
    m = grant(make_user("conv_mgr_big"), Role.COMPOUND_MANAGER, big)
    return big, staff, homes, m


@pytest.mark.parametrize("keyed", [False, True], ids=["service", "api-once"])
@pytest.mark.parametrize("waitlist", [True, False])
def test_fifty_for_ten_seats(world, waitlist, keyed):
    big, staff, homes, m = _fifty(world)
    bus = services.service_create(
        actor=m, compound=big, name="班车", kind="trip", station="北站", waitlist=waitlist
    )
    from datetime import time

    services.slots_generate(actor=m, service=bus, day=MORNING.date(), start=time(14), capacity=10)
    slot = bus.slots.get()
    results = _race(
        world, slot, homes, actor_of=staff, key_of=(lambda n: f"k{n}") if keyed else None
    )
    results = [
        r.rsplit(":", 1)[0] if keyed and not r.startswith("refused:") else r for r in results
    ]
    assert len(results) == 50
    assert results.count(Status.BOOKED) == 10
    if waitlist:
        assert results.count(Status.WAITLISTED) == 40
    else:
        refused = [r for r in results if r.startswith("refused:")]
        assert len(refused) == 40 and all("约满" in r for r in refused)
    slot.refresh_from_db()
    assert slot.booked == 10
    assert Booking.objects.filter(slot=slot, status=Status.BOOKED).count() == 10


def test_one_household_tapping_at_once_books_once(world):
    s = build_services(world)
    slot = s["mask_slot"]
    results = _race(world, slot, [world.home] * 10, actor_of=world.resident_a)
    assert results.count(Status.BOOKED) == 1
    assert len([r for r in results if r.startswith("refused:")]) == 9
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Booking.objects.filter(slot=slot, household=world.home).count() == 1
    assert Service.objects.count() >= 1


def test_one_household_retrying_one_key_at_once_books_once(world):
    """Ten copies of one request (a phone retrying over a bad line) at once:
    one booking, one place, one audit entry, and all ten get its answer."""
    from wanjia.core.models import AuditLog, IdempotencyKey

    s = build_services(world)
    slot = s["mask_slot"]
    results = _race(world, slot, [world.home] * 10, actor_of=world.resident_a, key_of=lambda n: "k")
    first = [r for r in results if not r.startswith("replayed:")]
    assert len(first) == 1 and first[0].startswith(Status.BOOKED), results
    assert {r.removeprefix("replayed:") for r in results} == set(first)
    slot.refresh_from_db()
    assert slot.booked == 1
    booking = Booking.objects.get(slot=slot, household=world.home)
    assert first[0] == f"{Status.BOOKED}:{booking.pk}"
    assert IdempotencyKey.objects.filter(user=world.resident_a, key="k").count() == 1
    assert AuditLog.objects.filter(object_type="booking", object_id=str(booking.pk)).count() == 1


def test_one_household_with_fresh_keys_at_once_books_once(world):
    s = build_services(world)
    slot = s["mask_slot"]
    results = _race(
        world, slot, [world.home] * 10, actor_of=world.resident_a, key_of=lambda n: f"k{n}"
    )
    assert len([r for r in results if r.startswith(Status.BOOKED)]) == 1, results
    refused = [r for r in results if r.startswith("refused:")]
    assert len(refused) == 9 and all("重复" in r for r in refused)
    slot.refresh_from_db()
    assert slot.booked == 1
