"""The intent the authority's wall screen asks: open events with their counts."""

from datetime import datetime

import time_machine
from django.utils import timezone

from wanjia.core import intents
from wanjia.emergency import services

from .conftest import NOW


def at(hour: int):
    return timezone.make_aware(datetime(2026, 7, 14, hour, 0))


def test_open_events_count_reports_and_overdue_after_the_deadline(flood):
    w = flood
    with time_machine.travel(at(11), tick=False):
        services.report_submit(
            actor=w.manager_a, event=w.event, compound=w.a, on_duty=6, note="平稳"
        )
        (row,) = intents.ask("emergency.open_events", w.regulator)
    assert (row["id"], row["compounds"], row["reported"], row["overdue"]) == (w.event.pk, 2, 1, 0)
    assert row["url"].endswith(f"/events/{w.event.pk}/")
    with time_machine.travel(at(19), tick=False):
        (row,) = intents.ask("emergency.open_events", w.regulator)
    assert row["overdue"] == 1  # B has not reported after 18:00


def test_a_manager_sees_the_event_without_the_board_link(flood):
    with time_machine.travel(NOW, tick=False):
        (row,) = intents.ask("emergency.open_events", flood.manager_a)
    assert row["url"] == ""


def test_a_closed_event_is_not_shown(flood):
    w = flood
    with time_machine.travel(NOW, tick=False):
        services.event_close(actor=w.regulator, event=w.event, summary="水位回落")
        assert intents.ask("emergency.open_events", w.regulator) == []


def test_affected_compounds_in_one_question(flood):
    w = flood
    assert intents.ask("emergency.affected_compounds", [w.a.pk, w.b.pk, 999999]) == {w.a.pk, w.b.pk}
    # a queryset of ids is asked as a subquery (the wall's whole area)
    from wanjia.core.models import Compound

    area = Compound.objects.filter(pk__in=[w.a.pk, w.b.pk]).values("pk")
    assert intents.ask("emergency.affected_compounds", area) == {w.a.pk, w.b.pk}


def test_the_walls_district_tiles_count_the_compounds_under_an_event(flood, login, monkeypatch):
    from wanjia.supervision.wall import views

    monkeypatch.setattr(views, "WALL_CELLS", 1)
    with time_machine.travel(NOW, tick=False):
        live = login(flood.regulator).get("/gov/wall/?part=live").content.decode()
    # A and B lie in two districts: each district's tile says one is under the event
    assert live.count("wall-tile wall-alert") == 2 and live.count("应急 1") == 2
