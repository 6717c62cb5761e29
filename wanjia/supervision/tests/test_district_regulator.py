"""A district's regulator supervises that district only: every supervision
page, list and export shows its own compounds and companies, and another
district's area, compound or company answers 404 — not a page of someone
else's figures, and not a 403 that tells the record exists."""

import pytest
import time_machine
from django.utils import timezone

from wanjia.core.models import User
from wanjia.core.roles import Role
from wanjia.core.testing import grant
from wanjia.supervision.credit import services as credit
from wanjia.supervision.rollups.services import rollup_month

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(timezone.datetime(2026, 3, 20, 10, 0))


@pytest.fixture
def district(world):
    with time_machine.travel(NOW, tick=False):
        rollup_month("2026-03")
        credit.scores_compute("2026-03")
    user = User.objects.create_user(username="gov_district", password="x", display_name="区住建局")
    grant(user, Role.REGULATOR, world.a.community.parent.parent)
    return user


def _page(client, url):
    with time_machine.travel(NOW, tick=False):
        return client.get(url)


def test_pages_show_the_district_only(world, district, login):
    client = login(district)
    for url in (
        "/gov/",
        "/gov/supervision/?period=2026-03",
        "/gov/supervision/ranking/?period=2026-03",
        "/gov/credit/?period=2026-03",
        "/gov/wall/",
    ):
        page = _page(client, url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert world.b.name not in text and world.b.company.name not in text, url
    ranking = _page(client, "/gov/supervision/ranking/?period=2026-03").content.decode()
    assert world.a.name in ranking
    assert world.a.company.name in _page(client, "/gov/credit/?period=2026-03").content.decode()


def test_another_districts_records_are_404(world, district, login, api):
    other = world.b.community.parent.parent
    client = login(district)
    for url in (
        f"/gov/?region={other.pk}",
        f"/gov/supervision/?area={other.pk}&period=2026-03",
        f"/gov/supervision/ranking/?area={other.pk}&period=2026-03",
        f"/gov/credit/companies/{world.b.company.pk}/?period=2026-03",
    ):
        assert _page(client, url).status_code == 404, url
    with time_machine.travel(NOW, tick=False):
        bearer = api(district)
        assert (
            bearer.get(
                f"/api/v1/supervision/compounds/{world.b.pk}/kpis?period=2026-03"
            ).status_code
            == 404
        )
        assert (
            bearer.get(
                f"/api/v1/supervision/compounds/{world.a.pk}/kpis?period=2026-03"
            ).status_code
            == 200
        )
        body = bearer.get("/api/v1/supervision/companies?period=2026-03").json()
        assert [r["id"] for r in body["items"]] == [world.a.company.pk]
        score = f"/api/v1/supervision/companies/{world.b.company.pk}/score?period=2026-03"
        assert bearer.get(score).status_code == 404
