from datetime import date, datetime, time

import pytest
from django.utils import timezone

from wanjia.conveniences import services

DAY = date(2026, 3, 10)  # a Tuesday
MORNING = timezone.make_aware(datetime(2026, 3, 10, 7, 0))


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def build_services(world) -> dict:
    """Compound A: a haircut (two barbers, 15-minute slots 09:00–10:00, cut-off
    60 min), a shuttle (10 seats at 14:00, no waitlist), masks (10 a household
    this week), printing (today 08:00–18:00); compound B: a haircut."""
    m = world.manager_a
    hair = services.service_create(
        actor=m, compound=world.a, name="义剪", kind="slot", resources="王师傅\n李师傅"
    )
    services.slots_generate(actor=m, service=hair, day=DAY, start=time(9), end=time(10))
    bus = services.service_create(
        actor=m,
        compound=world.a,
        name="返程班车",
        kind="trip",
        station="内江北站",
        pickup_gate="东门",
        slot_minutes=60,
        waitlist=False,
        price="5",
    )
    services.slots_generate(actor=m, service=bus, day=DAY, start=time(14), capacity=10)
    masks = services.service_create(
        actor=m, compound=world.a, name="口罩", kind="quota", quota=10, unit="个"
    )
    services.slots_generate(actor=m, service=masks, day=DAY, capacity=100, days=7)
    printing = services.service_create(actor=m, compound=world.a, name="打印", kind="print")
    services.slots_generate(
        actor=m, service=printing, day=DAY, start=time(8), end=time(18), capacity=30
    )
    b_hair = services.service_create(
        actor=world.outsider_b, compound=world.b, name="义剪", kind="slot", resources="赵师傅"
    )
    services.slots_generate(
        actor=world.outsider_b, service=b_hair, day=DAY, start=time(9), end=time(10)
    )
    return {
        "hair": hair,
        "bus": bus,
        "masks": masks,
        "print": printing,
        "b_hair": b_hair,
        "hair_9": hair.slots.order_by("starts_at", "resource").first(),
        "bus_slot": bus.slots.get(),
        "mask_slot": masks.slots.get(),
        "print_slot": printing.slots.get(),
        "b_slot": b_hair.slots.order_by("starts_at").first(),
    }


@pytest.fixture
def conv(world):
    world.s = build_services(world)
    return world


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
