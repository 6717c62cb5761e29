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
