from datetime import datetime

import pytest
from django.utils import timezone

from wanjia.volunteers import services

NOW = timezone.make_aware(datetime(2026, 3, 10, 18, 0))  # a Tuesday evening


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 3, day, hour, minute))


def build_tasks(world):
    """Compound A: tomorrow's 05:00 sorting shift posted by the manager (3
    places) with the volunteer signed up; compound B: the same, posted by B's
    manager. Returns the two tasks and A's sign-up."""
    a = services.task_post(
        actor=world.manager_a,
        compound=world.a,
        title="清晨分拣",
        kind="sorting",
        place="分拣点",
        starts_at=at(11, 5),
        ends_at=at(11, 8),
        places=3,
    )
    b = services.task_post(
        actor=world.outsider_b,
        compound=world.b,
        title="清晨分拣",
        kind="sorting",
        place="分拣点",
        starts_at=at(11, 5),
        ends_at=at(11, 8),
        places=3,
    )
    row = services.signup(actor=world.volunteer_a, task=a)
    return a, b, row


@pytest.fixture
def tasks(world):
    import time_machine

    with time_machine.travel(NOW, tick=False):
        world.task_a, world.task_b, world.signup_a = build_tasks(world)
    return world
