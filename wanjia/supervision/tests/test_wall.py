"""The wall screen reads rollups, stored scores and the emergency intent."""

import pytest
import time_machine
from django.utils import timezone

from wanjia.supervision.credit.services import scores_compute
from wanjia.supervision.rollups.services import rollup_month
from wanjia.supervision.wall.charts import spark, trend

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(timezone.datetime(2026, 12, 10, 9, 0))


def test_the_wall_shows_kpis_grades_rankings_and_refreshes(world, login):
    with time_machine.travel(NOW, tick=False):
        rollup_month("2026-12")
        scores_compute("2026-12")
        client = login(world.regulator)
        page = client.get("/gov/wall/")
        live = client.get("/gov/wall/?part=live")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="wall-kpi"' in body and world.a.name[:4] in body
    assert "grade-aa" in body  # both companies score 80: AA
    assert 'hx-trigger="every 60s"' in body
    assert live.status_code == 200 and "<html" not in live.content.decode()


def test_a_month_without_rollups_falls_back_to_last_month(world, login):
    with time_machine.travel(NOW, tick=False):
        rollup_month("2026-11")
        page = login(world.regulator).get("/gov/wall/")
    assert "2026-11" in page.content.decode()


def test_sparkline_and_trend_words():
    assert spark([None, 1.0]) == ""
    assert spark([1.0, None, 3.0]) == "0.0,22.0 100.0,2.0"
    assert trend(0.9 * 100, 0.8 * 100, better="higher") == ("▲ 10", "up")
    assert trend(3.0, 5.0, better="lower") == ("▼ 2", "up")
    assert trend(None, 1.0, better="higher") == ("", "")


def test_an_area_with_more_compounds_than_a_screen_shows_a_tile_per_district(
    world, login, monkeypatch
):
    """A city of thousands of compounds: a tile per district with its compounds
    counted by grade; a click opens that district's wall."""
    from wanjia.core.models import Region
    from wanjia.supervision.wall import views

    monkeypatch.setattr(views, "WALL_CELLS", 1)
    with time_machine.travel(NOW, tick=False):
        rollup_month("2026-12")
        scores_compute("2026-12")
        client = login(world.regulator)
        live = client.get("/gov/wall/?part=live").content.decode()
        district = Region.objects.filter(parent__parent__isnull=True).order_by("path").first()
        down = client.get(f"/gov/wall/?area={district.pk}&part=live").content.decode()
    assert (
        live.count('data-testid="wall-tile"')
        == Region.objects.filter(parent__parent__isnull=True, parent__isnull=False).count()
    )
    assert 'class="wall-cell' not in live and f"?area={district.pk}" in live
    assert "2 个小区" in live or "1 个小区" in live
    assert 'class="grade-aa" style="width: 100.0%"' in live  # every compound graded AA
    assert 'data-testid="wall-tile"' in down or 'class="wall-cell' in down


def test_the_bottom_five_never_repeat_the_top_five():
    from wanjia.supervision.wall.views import top_and_bottom

    for size, bottom in ((3, []), (6, [6]), (10, [6, 7, 8, 9, 10]), (12, [8, 9, 10, 11, 12])):
        top, low = top_and_bottom(list(range(1, size + 1)))
        assert top == list(range(1, min(size, 5) + 1)) and low == bottom
