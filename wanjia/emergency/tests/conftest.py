from datetime import datetime

import pytest
from django.utils import timezone

from wanjia.core.models import Membership
from wanjia.core.roles import Role
from wanjia.core.testing import grant, make_user
from wanjia.emergency import services

NOW = timezone.make_aware(datetime(2026, 7, 14, 10, 0))  # a Tuesday morning


def open_event(world, *, compounds=None, region=None, kind="flood", actor=None):
    """Open an event and run its preparing job (as the worker would)."""
    event = services.event_open(
        actor=actor or world.regulator,
        kind=kind,
        grade=3,
        title="防汛Ⅲ级响应",
        compound_ids=compounds,
        region_id=region,
    )
    services.event_prepare(event.job_id, event.pk)
    event.refresh_from_db()
    return event


def district_officer(world):
    """A regulator of compound A's district only."""
    district = world.a.community.parent.parent
    return grant(make_user("gov_d", display_name="区住建局"), Role.REGULATOR, district)


@pytest.fixture
def flood(world):
    import time_machine

    with time_machine.travel(NOW, tick=False):
        world.event = open_event(world, compounds=[world.a.pk, world.b.pk])
    return world


__all__ = ["Membership", "NOW", "district_officer", "open_event"]
