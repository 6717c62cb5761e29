from datetime import date, datetime

import pytest
from django.utils import timezone

from wanjia.care import services
from wanjia.estates.models import Resident

DAY = date(2026, 3, 10)  # a Tuesday
MORNING = timezone.make_aware(datetime(2026, 3, 10, 9, 0))


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def build_care(world):
    """Compound A: 张伟 (daily; staff and the secretary visit) and 李娜 (daily;
    the volunteer visits); compound B: 王芳 (daily, no caretaker)."""
    zhang = Resident.objects.get(compound=world.a, name="张伟")
    li = Resident.objects.get(compound=world.a, name="李娜")
    wang = Resident.objects.get(compound=world.b, name="王芳")
    p1 = services.person_create(
        actor=world.manager_a,
        compound=world.a,
        resident=zhang,
        reason="alone",
        level="daily",
        caretakers=[world.staff_a, world.secretary_a],
        contacts=[{"name": "张小明", "phone": "13911112222"}],
        health_notes="高血压，每天早晚服药",
        what_to_look_for="门口报纸是否取走",
        started_on=date(2026, 3, 1),
    )
    p2 = services.person_create(
        actor=world.manager_a,
        compound=world.a,
        resident=li,
        reason="chronic",
        level="daily",
        caretakers=[world.volunteer_a],
        contacts=[{"name": "李强", "phone": "13922223333"}],
        health_notes="糖尿病",
        started_on=date(2026, 3, 1),
    )
    p3 = services.person_create(
        actor=world.outsider_b,
        compound=world.b,
        resident=wang,
        reason="alone",
        level="daily",
        contacts=[{"name": "王刚", "phone": "13933334444"}],
        started_on=date(2026, 3, 1),
    )
    return p1, p2, p3


@pytest.fixture
def care(world):
    world.p1, world.p2, world.p3 = build_care(world)
    services.visits_generate(DAY)
    world.v1 = world.p1.visits.get(date=DAY)
    world.v2 = world.p2.visits.get(date=DAY)
    world.v3 = world.p3.visits.get(date=DAY)
    return world
