from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from wanjia.core.roles import Role
from wanjia.disputes import services
from wanjia.estates.testing import grant, make_resident, make_user

TZ = ZoneInfo("Asia/Shanghai")
# A Monday morning, local time: the clock every time-sensitive test starts from.
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)


@pytest.fixture
def leak(world):
    """A leak reported by the resident of A against their neighbour, in A's first
    building (where ``world.leader_a`` leads)."""

    def _open(**extra):
        fields = {
            "actor": world.resident_a,
            "compound": world.a,
            "category": "leak",
            "summary": "楼上卫生间漏水，渗到我家厨房",
            "households": [world.other_home],
        }
        fields.update(extra)
        return services.case_open(**fields)

    return _open


@pytest.fixture
def neighbour(world):
    """A resident of A in the second building: same compound, party to nothing."""
    home = world.a.households.exclude(building=world.home.building).order_by("id").first()
    user = grant(make_user("res_a2", display_name="周敏"), Role.RESIDENT, home)
    make_resident(home, "周敏", user=user)
    return user
