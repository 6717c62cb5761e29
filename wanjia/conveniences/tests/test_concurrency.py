"""No overbooking, ever (PostgreSQL: real concurrent transactions; SQLite
serialises writers, so the race cannot be staged there). 50 households at
once for 10 seats: exactly 10 booked, the other 40 waitlisted (or, without a
waitlist, 40 clear refusals); one household tapping 10 times at once holds
one booking."""

import threading

import pytest
import time_machine
from django.db import connection, connections

from wanjia.conveniences import services
from wanjia.conveniences.models import Booking, Service, Slot, Status
from wanjia.core.errors import Conflict
from wanjia.core.models import User
from wanjia.estates.models import Household
from wanjia.estates.testing import make_compound, grant, make_user
from wanjia.core.roles import Role

from .conftest import MORNING, build_services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def _race(world, slot, households, *, actor_of=None):
    barrier = threading.Barrier(len(households))
    results = []
    lock = threading.Lock()

    def tap(household_id, user_id):
        try:
            user = User.objects.get(pk=user_id)
            household = Household.objects.select_related("compound").get(pk=household_id)
            fresh = Slot.objects.select_related("service", "compound").get(pk=slot.pk)
            barrier.wait()
            with time_machine.travel(MORNING, tick=False):
                b = services.booking_create(actor=user, slot=fresh, household=household)
            out = b.status
        except Conflict as exc:
            out = "refused:" + exc.message
        finally:
            connections.close_all()
        with lock:
            results.append(out)

    threads = [
        threading.Thread(target=tap, args=(h.pk, (actor_of or world.staff_a).pk))
        for h in households
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _fifty(world):
    big = make_compound("压测苑", buildings=5, floors=5, rooms_per_floor=2)
    staff = grant(make_user("conv_staff_big"), Role.STAFF, big)
    homes = list(Household.objects.filter(compound=big).order_by("id")[:50])
    assert len(homes) == 50
    m = grant(make_user("conv_mgr_big"), Role.COMPOUND_MANAGER, big)
    return big, staff, homes, m


@pytest.mark.parametrize("waitlist", [True, False])
def test_fifty_for_ten_seats(world, waitlist):
    big, staff, homes, m = _fifty(world)
    bus = services.service_create(
        actor=m, compound=big, name="班车", kind="trip", station="北站", waitlist=waitlist
    )
    from datetime import time

    services.slots_generate(actor=m, service=bus, day=MORNING.date(), start=time(14), capacity=10)
    slot = bus.slots.get()
    results = _race(world, slot, homes, actor_of=staff)
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
