import pytest

from wanjia.market.testing import make_market, open_window


@pytest.fixture
def kit(world):
    """A market run from compound A (serving A only) with an open window."""
    kit = make_market(manager=world.manager_a, compound=world.a)
    open_window(kit, manager=world.manager_a)
    return kit
