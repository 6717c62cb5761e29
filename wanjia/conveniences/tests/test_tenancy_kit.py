"""The conveniences URLs (console, phone pages, API) through the kernel's
tenancy kit. Compound A: the haircut, shuttle, masks and printing of
``build_services`` with the resident's haircut booking and print job and a
suspension of the neighbour's household; compound B: the same kinds of
record. Time is frozen on the morning of the slots."""

from datetime import time

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from wanjia.conveniences import services
from wanjia.conveniences.models import Booking, Service, Slot, Suspension
from wanjia.core.testkit import PERSONAS_A, Endpoint, cases, check, is_missing, item_of, others

from .conftest import DAY, MORNING, PDF, build_services

pytestmark = pytest.mark.django_db

SERVE = ("manager_a", "staff_a", "company_admin_a")
MANAGE = ("manager_a", "company_admin_a")
RESIDENT = ("resident_a",)
BOOK = ("resident_a", *SERVE)


@pytest.fixture(scope="module")
def conv_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock(), time_machine.travel(MORNING, tick=False):
        s = build_services(w)
        b_print = services.service_create(
            actor=w.outsider_b, compound=w.b, name="打印", kind="print"
        )
        services.slots_generate(
            actor=w.outsider_b, service=b_print, day=DAY, start=time(8), end=time(18)
        )
        w.conv = {"a": {}, "b": {}}
        for side, actor, home, hair, printing in (
            ("a", w.resident_a, w.home, s["hair"], s["print"]),
            ("b", w.outsider_b, w.b_home, s["b_hair"], b_print),
        ):
            slots = list(hair.slots.order_by("starts_at", "resource"))
            booking = services.booking_create(actor=actor, slot=slots[0], household=home)
            job = services.booking_create(
                actor=actor,
                slot=printing.slots.get(),
                household=home,
                upload=SimpleUploadedFile("a.pdf", PDF),
            )
            susp = Suspension.objects.create(
                compound=home.compound,
                household=home if side == "b" else w.other_home,
                starts_at=MORNING,
                ends_at=services.add_months(MORNING, 3),
                reason="爽约",
            )
            w.conv[side] = {
                "compound": home.compound,
                "service": hair,
                "slot": slots[0],
                "other_slot": slots[-1],
                "booking": booking,
                "job": job,
                "suspension": susp,
                "home": home,
            }
    return w


def _side(world, obj):
    return "b" if getattr(obj, "compound_id", getattr(obj, "pk", None)) == world.b.pk else "a"


def _booking_state(world, obj):
    return tuple(Booking.objects.filter(pk=obj.pk).values_list("status", "printed_at"))


def _bookings_in(world, obj):
    return Booking.objects.filter(compound_id=obj.pk).count()


def _book_for_body(world, obj):
    side = "b" if obj.pk == world.b.pk else "a"
    c = world.conv[side]
    return {"slot": str(c["other_slot"].pk), "household": str(c["home"].pk)}


def _api_book_body(world, obj):
    if is_missing(obj):
        return {"slot": obj.pk, "household": world.home.pk}
    side = "b" if obj.compound_id == world.b.pk else "a"
    return {"slot": obj.pk, "household": world.conv[side]["home"].pk}


ENDPOINTS = [
    Endpoint("conv_home", "/console/conveniences/", allowed=SERVE, forbidden=others(*SERVE)),
    Endpoint(
        "conv_compound",
        "/console/conveniences/c/{pk}/",
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("conv", "compound"),
    ),
    Endpoint(
        "conv_compound_post",
        "/console/conveniences/c/{pk}/",
        method="post",
        body={"name": "磨刀", "kind": "custom", "price": "0", "cutoff_minutes": "30"},
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("conv", "compound"),
        state=lambda w, o: Service.objects.filter(compound_id=o.pk).count(),
    ),
    Endpoint(
        "conv_service",
        "/console/conveniences/s/{pk}/",
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("conv", "service"),
    ),
    Endpoint(
        "conv_service_post",
        "/console/conveniences/s/{pk}/",
        method="post",
        body={"day": "2026-03-11", "start": "09:00", "end": "10:00", "capacity": "1"},
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("conv", "service"),
        state=lambda w, o: Slot.objects.filter(service_id=o.pk).count(),
    ),
    *[
        Endpoint(
            name,
            url,
            allowed=SERVE,
            forbidden=others(*SERVE),
            obj=item_of("conv", "compound"),
        )
        for name, url in (
            ("conv_day", "/console/conveniences/c/{pk}/day/?date=2026-03-10"),
            ("conv_day_xlsx", "/console/conveniences/c/{pk}/day.xlsx?date=2026-03-10"),
            ("conv_day_print", "/console/conveniences/c/{pk}/day/print/?date=2026-03-10"),
            ("conv_print", "/console/conveniences/c/{pk}/print/"),
            ("conv_suspensions", "/console/conveniences/c/{pk}/suspensions/"),
        )
    ],
    Endpoint(
        "conv_book_for",
        "/console/conveniences/c/{pk}/book/",
        method="post",
        body=_book_for_body,
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("conv", "compound"),
        state=_bookings_in,
    ),
    Endpoint(
        "conv_mark",
        "/console/conveniences/b/{pk}/mark/",
        method="post",
        body={"outcome": "attended"},
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("conv", "booking"),
        state=_booking_state,
    ),
    Endpoint(
        "conv_cancel",
        "/console/conveniences/b/{pk}/cancel/",
        method="post",
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("conv", "booking"),
        state=_booking_state,
    ),
    Endpoint(
        "conv_printed",
        "/console/conveniences/b/{pk}/printed/",
        method="post",
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("conv", "job"),
        state=_booking_state,
    ),
    Endpoint(
        "conv_file",
        "/console/conveniences/b/{pk}/file/",
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("conv", "job"),
    ),
    Endpoint(
        "conv_lift",
        "/console/conveniences/suspensions/{pk}/lift/",
        method="post",
        body={"reason": "已核实"},
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("conv", "suspension"),
        state=lambda w, o: tuple(
            Suspension.objects.filter(pk=o.pk).values_list("lifted_at", "lift_reason")
        ),
    ),
    Endpoint("conv_h5_home", "/h5/conveniences/", allowed=RESIDENT, forbidden=others(*RESIDENT)),
    Endpoint(
        "conv_h5_service",
        "/h5/conveniences/s/{pk}/?date=2026-03-10",
        allowed=RESIDENT,
        forbidden=others(*RESIDENT),
        obj=item_of("conv", "service"),
        outsider=None,  # B's manager is no resident: 403 before any lookup
    ),
    Endpoint(
        "conv_h5_book",
        "/h5/conveniences/slots/{pk}/book/",
        method="post",
        body={"key": "kit"},
        allowed=RESIDENT,
        forbidden=others(*RESIDENT),
        obj=item_of("conv", "other_slot"),
        outsider=None,
        state=lambda w, o: Booking.objects.filter(slot_id=o.pk).count(),
    ),
    Endpoint(
        "conv_h5_cancel",
        "/h5/conveniences/b/{pk}/cancel/",
        method="post",
        allowed=RESIDENT,
        forbidden=others(*RESIDENT),
        obj=item_of("conv", "booking"),
        outsider=None,
        state=_booking_state,
    ),
    Endpoint(
        "conv_h5_change",
        "/h5/conveniences/b/{pk}/change/",
        method="post",
        body=lambda w, o: {"slot": str(w.conv[_side(w, o)]["other_slot"].pk)},
        allowed=RESIDENT,
        forbidden=others(*RESIDENT),
        obj=item_of("conv", "booking"),
        outsider=None,
        state=_booking_state,
    ),
    Endpoint(
        "api_services",
        "/api/v1/services?compound={pk}",
        api=True,
        allowed=PERSONAS_A,
        obj=item_of("conv", "compound"),
    ),
    Endpoint(
        "api_slots",
        "/api/v1/services/{pk}/slots?date=2026-03-10",
        api=True,
        allowed=PERSONAS_A,
        obj=item_of("conv", "service"),
    ),
    Endpoint(
        "api_book",
        "/api/v1/bookings",
        method="post",
        api=True,
        body=_api_book_body,
        headers={"Idempotency-Key": "kit-1"},
        id_in_body=True,
        allowed=BOOK,
        forbidden=others(*BOOK),
        obj=item_of("conv", "other_slot"),
        state=lambda w, o: Booking.objects.filter(slot_id=o.pk).count(),
    ),
    Endpoint(
        "api_cancel",
        "/api/v1/bookings/{pk}/cancel",
        method="post",
        api=True,
        allowed=BOOK,
        forbidden=others(*BOOK),
        obj=item_of("conv", "booking"),
        state=_booking_state,
    ),
]


@pytest.mark.parametrize("case", cases("conveniences", ENDPOINTS))
def test_tenancy(case, conv_world, login, api):
    with time_machine.travel(MORNING, tick=False):
        check(case, conv_world, login, api)
