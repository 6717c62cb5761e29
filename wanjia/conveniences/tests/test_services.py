from datetime import time, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from wanjia.conveniences import services
from wanjia.conveniences.models import Booking, Slot, Status, Suspension
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import AuditLog, Notification
from wanjia.core.roles import Role
from wanjia.estates.testing import grant, make_user

from .conftest import DAY, MORNING, PDF, at

pytestmark = pytest.mark.django_db


def _resident_of(household, name):
    return grant(make_user(name), Role.RESIDENT, household)


def test_slots_per_barber_and_generation_is_idempotent(conv):
    hair = conv.s["hair"]
    assert hair.slots.count() == 8  # two barbers × four quarter hours
    again = services.slots_generate(
        actor=conv.manager_a, service=hair, day=DAY, start=time(9), end=time(10)
    )
    assert again == 0
    assert conv.s["hair_9"].closes_at == at(8)


@time_machine.travel(MORNING, tick=False)
def test_book_waitlist_and_promotion_on_cancel(conv):
    slot = conv.s["hair_9"]  # capacity 1
    other = _resident_of(conv.other_home, "res_other")
    first = services.booking_create(actor=conv.resident_a, slot=slot, household=conv.home)
    assert first.status == Status.BOOKED
    second = services.booking_create(actor=other, slot=slot, household=conv.other_home)
    assert second.status == Status.WAITLISTED
    with pytest.raises(Conflict):
        services.booking_create(actor=conv.resident_a, slot=slot, household=conv.home)
    services.booking_cancel(actor=conv.resident_a, booking=first)
    second.refresh_from_db()
    slot.refresh_from_db()
    assert second.status == Status.BOOKED and second.promoted_at is not None
    assert slot.booked == 1
    assert Notification.objects.filter(recipient=other, kind="conveniences.promoted").exists()


@time_machine.travel(MORNING, tick=False)
def test_full_trip_without_waitlist_refuses(conv):
    slot = conv.s["bus_slot"]
    Slot.objects.filter(pk=slot.pk).update(booked=10)
    with pytest.raises(Conflict) as exc:
        services.booking_create(actor=conv.resident_a, slot=slot, household=conv.home)
    assert "约满" in exc.value.message
    assert not Booking.objects.filter(slot=slot).exists()


def test_cutoff_closes_booking_and_cancelling(conv):
    slot = conv.s["hair_9"]
    with time_machine.travel(MORNING, tick=False):
        b = services.booking_create(actor=conv.resident_a, slot=slot, household=conv.home)
    with time_machine.travel(at(8, 30), tick=False):
        with pytest.raises(Conflict):
            services.booking_cancel(actor=conv.resident_a, booking=b)
        with pytest.raises(Conflict):
            services.booking_create(
                actor=conv.resident_a,
                slot=conv.s["hair"].slots.order_by("starts_at", "resource")[2],
                household=conv.home,
            )
        # staff may still cancel (a phone call): not a no-show
        services.booking_cancel(actor=conv.staff_a, booking=b)
    b.refresh_from_db()
    assert b.status == Status.CANCELLED


@time_machine.travel(MORNING, tick=False)
def test_change_moves_the_place(conv):
    slots = list(conv.s["hair"].slots.order_by("starts_at", "resource"))
    b = services.booking_create(actor=conv.resident_a, slot=slots[0], household=conv.home)
    new = services.booking_change(actor=conv.resident_a, booking=b, slot=slots[2])
    b.refresh_from_db()
    assert b.status == Status.CANCELLED and new.status == Status.BOOKED
    assert Slot.objects.get(pk=slots[0].pk).booked == 0
    assert Slot.objects.get(pk=slots[2].pk).booked == 1


def test_three_no_shows_suspend_for_three_months_and_lift(conv):
    hair = conv.s["hair"]
    slots = list(hair.slots.order_by("starts_at", "resource")[:3])
    for n, slot in enumerate(slots):
        with time_machine.travel(MORNING, tick=False):
            b = services.booking_create(actor=conv.resident_a, slot=slot, household=conv.home)
        with time_machine.travel(at(11), tick=False):
            services.booking_mark(actor=conv.staff_a, booking=b, outcome="no_show")
        assert Suspension.objects.filter(household=conv.home).count() == (n == 2)
    s = Suspension.objects.get(household=conv.home)
    assert s.ends_at.date().month == 6 and len(s.no_shows) == 3
    with time_machine.travel(at(12), tick=False):
        with pytest.raises(services.Suspended) as exc:
            services.booking_create(
                actor=conv.resident_a, slot=conv.s["mask_slot"], household=conv.home
            )
        assert exc.value.until.isoformat() == "2026-06-10"
        assert "2026-06-10" in exc.value.message
        with pytest.raises(Forbidden):
            services.suspension_lift(actor=conv.staff_a, suspension=s, reason="x")
        with pytest.raises(Invalid):
            services.suspension_lift(actor=conv.manager_a, suspension=s, reason="")
        services.suspension_lift(actor=conv.manager_a, suspension=s, reason="家中有病人，已核实")
        assert AuditLog.objects.filter(action="conveniences.suspension.lifted").exists()
        b = services.booking_create(
            actor=conv.resident_a, slot=conv.s["mask_slot"], household=conv.home
        )
    assert b.status == Status.BOOKED


def test_no_show_only_after_start_and_cancel_is_not_a_no_show(conv):
    slot = conv.s["hair_9"]
    with time_machine.travel(MORNING, tick=False):
        b = services.booking_create(actor=conv.resident_a, slot=slot, household=conv.home)
        with pytest.raises(Conflict):
            services.booking_mark(actor=conv.staff_a, booking=b, outcome="no_show")
        services.booking_cancel(actor=conv.resident_a, booking=b)
        with pytest.raises(Conflict):
            services.booking_mark(actor=conv.staff_a, booking=b, outcome="no_show")
    with pytest.raises(Forbidden):
        services.booking_mark(actor=conv.resident_a, booking=b, outcome="attended")


@time_machine.travel(MORNING, tick=False)
def test_staff_book_for_a_household_audited(conv):
    b = services.booking_create(
        actor=conv.staff_a, slot=conv.s["mask_slot"], household=conv.other_home
    )
    assert b.on_behalf
    assert AuditLog.objects.filter(action="conveniences.booking.on_behalf").count() == 1
    with pytest.raises(Forbidden):
        services.booking_create(
            actor=conv.resident_a, slot=conv.s["bus_slot"], household=conv.other_home
        )
    with pytest.raises(Forbidden):
        services.booking_create(
            actor=conv.volunteer_a, slot=conv.s["bus_slot"], household=conv.home
        )


@time_machine.travel(MORNING, tick=False)
def test_print_job_checks_file_and_goes_through_the_queue(conv):
    slot = conv.s["print_slot"]
    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(Invalid) as exc:
        services.booking_create(actor=conv.resident_a, slot=slot, household=conv.home, upload=bad)
    assert "file" in exc.value.errors
    with pytest.raises(Invalid):
        services.booking_create(actor=conv.resident_a, slot=slot, household=conv.home)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * services.PRINT_MAX_BYTES)
    with pytest.raises(Invalid):
        services.booking_create(actor=conv.resident_a, slot=slot, household=conv.home, upload=big)
    ok = SimpleUploadedFile("作业.pdf", PDF)
    b = services.booking_create(
        actor=conv.resident_a, slot=slot, household=conv.home, upload=ok, copies=2
    )
    b.refresh_from_db()
    assert b.file_name == "作业.pdf" and b.file.name.endswith(".pdf") and b.copies == 2
    services.booking_printed(actor=conv.staff_a, booking=b)
    with pytest.raises(Conflict):
        services.booking_printed(actor=conv.staff_a, booking=b)
    services.booking_mark(actor=conv.staff_a, booking=b, outcome="attended")
    b.refresh_from_db()
    assert b.status == Status.ATTENDED and b.printed_at is not None


def test_service_validation(conv):
    with pytest.raises(Invalid) as exc:
        services.service_create(
            actor=conv.manager_a, compound=conv.a, name="", kind="nope", price="-1"
        )
    assert {"name", "kind", "price"} <= set(exc.value.errors)
    with pytest.raises(Forbidden):
        services.service_create(actor=conv.staff_a, compound=conv.a, name="x", kind="custom")


def test_figures(conv):
    from wanjia.core import figures

    with time_machine.travel(MORNING, tick=False):
        b1 = services.booking_create(
            actor=conv.resident_a, slot=conv.s["hair_9"], household=conv.home
        )
        b2 = services.booking_create(
            actor=conv.staff_a, slot=conv.s["bus_slot"], household=conv.other_home
        )
    with time_machine.travel(at(15), tick=False):
        services.booking_mark(actor=conv.staff_a, booking=b1, outcome="no_show")
        services.booking_mark(actor=conv.staff_a, booking=b2, outcome="attended")
    day = MORNING.date()
    f = figures.figure("conveniences.bookings")
    assert f.compute([conv.a.pk], day, day) == 2
    rate = figures.figure("conveniences.no_show_rate")
    assert rate.compute_many([[conv.a.pk], [conv.b.pk]], day, day) == [0.5, None]
    assert day + timedelta(days=1) > day
