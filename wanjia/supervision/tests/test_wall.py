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
