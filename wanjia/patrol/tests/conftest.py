from datetime import datetime, time

import pytest
from django.utils import timezone

from wanjia.patrol import services
from wanjia.patrol.models import CheckpointKind

NIGHT = timezone.make_aware(datetime(2026, 3, 10, 21, 0))  # a Tuesday evening


def build_patrol(world, compound, manager):
    """Three checkpoints 100 m apart on a strict route, one schedule, tonight's runs."""
    cps = [
        services.checkpoint_create(
            actor=manager,
            compound=compound,
            name=f"{label}",
            kind=kind,
            x=10 + 30 * n,
            y=20,
            lat=29.58 + 0.0009 * n,
            lng=105.05,
        )
        for n, (label, kind) in enumerate(
            [
                ("东门", CheckpointKind.GATE),
                ("车库", CheckpointKind.GARAGE),
                ("河边", CheckpointKind.RIVERSIDE),
            ]
        )
    ]
    route = services.route_create(
        actor=manager,
        compound=compound,
        name="夜巡一线",
        checkpoints=cps,
        minutes=[5, 10, 10],
        strict_order=True,
    )
    schedule = services.schedule_set(actor=manager, route=route, start=time(22), end=time(6))
    return cps, route, schedule


@pytest.fixture
def patrol(world):
    world.cps, world.route, world.schedule = build_patrol(world, world.a, world.manager_a)
    world.b_cps, world.b_route, _s = build_patrol(world, world.b, world.outsider_b)
    services.runs_generate_for(world.schedule, NIGHT, NIGHT + timezone.timedelta(hours=12))
    return world
