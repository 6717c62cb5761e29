"""独居老人 is one figure with one definition (``figures.elderly_alone_q``): the
API's ``alone_count`` and the pages' figure agree, for compounds and buildings.

They used to differ: the API counted every resident flagged as living alone,
the pages only those aged 60 or more (or of unknown age)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from wanjia.core.models import Building
from wanjia.estates.figures import figures_by_building
from wanjia.estates.testing import make_resident

pytestmark = pytest.mark.django_db

TODAY = "2025-03-01 10:00 +08:00"


@pytest.fixture
def mixed(world):
    """Besides 张伟 (alone, birth date unknown: counted), residents that only
    one of the two old definitions counted, and the 60th birthday's edges."""
    other = Building.objects.filter(compound=world.a).exclude(pk=world.home.building_id).get()
    far = other.households.order_by("id").first()
    make_resident(world.other_home, "年轻独居", lives_alone=True, birth_date=date(1995, 6, 1))
    make_resident(world.other_home, "老人同住", lives_alone=False, birth_date=date(1940, 1, 1))
    make_resident(far, "今天六十", lives_alone=True, birth_date=date(1965, 3, 1))
    make_resident(far, "明天六十", lives_alone=True, birth_date=date(1965, 3, 2))
    return world, other


@time_machine.travel(TODAY, tick=False)
def test_api_and_pages_count_the_same_elderly_living_alone(mixed, api, login):
    world, other = mixed
    page = login(world.manager_a).get(reverse("compound_detail", args=[world.a.pk]))
    assert page.context["figures"].elderly_alone == 2  # 张伟 and 今天六十
    client = api(world.manager_a)
    detail = client.get(f"/api/v1/compounds/{world.a.pk}").json()
    listed = client.get("/api/v1/compounds").json()["items"]
    assert detail["alone_count"] == listed[0]["alone_count"] == 2

    buildings = client.get(f"/api/v1/compounds/{world.a.pk}/buildings").json()["items"]
    by_api = {b["id"]: b["alone_count"] for b in buildings}
    by_pages = {
        pk: f.elderly_alone
        for pk, f in figures_by_building(Building.objects.filter(compound=world.a)).items()
    }
    assert by_api == by_pages == {world.home.building_id: 1, other.pk: 1}
    building_page = login(world.manager_a).get(reverse("building_detail", args=[other.pk]))
    assert building_page.context["figures"].elderly_alone == by_api[other.pk]


@time_machine.travel(TODAY, tick=False)
def test_the_count_follows_the_calendar(mixed, api):
    world, _other = mixed
    client = api(world.manager_a)
    assert client.get(f"/api/v1/compounds/{world.a.pk}").json()["alone_count"] == 2
    with time_machine.travel("2025-03-02 00:30 +08:00", tick=False):  # 明天六十 turns 60
        assert client.get(f"/api/v1/compounds/{world.a.pk}").json()["alone_count"] == 3
