from datetime import datetime

import pytest
from django.utils import timezone

from wanjia.estates.models import StaffDuty, StaffMember

NOW = timezone.make_aware(datetime(2026, 3, 10, 9, 0))  # a Tuesday morning


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, 3, day, hour, minute))


def give_repair_duty(world):
    """The world's staff member takes repair tickets (automatic assignment)."""
    member = StaffMember.objects.create(
        company=world.a.company, compound=world.a, user=world.staff_a, name="赵保安"
    )
    StaffDuty.objects.create(staff=member, duty="repair")
    return member


@pytest.fixture
def tk(world):
    return world
