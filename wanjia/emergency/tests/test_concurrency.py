"""Races (PostgreSQL: real concurrent transactions; SQLite serialises
writers, so the race cannot be staged there): six workers chasing missing
reports at once tell each compound once; eight first reports of one compound
and day at once make one report, every caller getting its id."""

import threading
from datetime import datetime

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from wanjia.core.models import Notification
from wanjia.emergency import services
from wanjia.emergency.models import DailyReport, Event

from .conftest import NOW, open_event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def _race(n, fn):
    barrier = threading.Barrier(n)
    results, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait(timeout=60)
            out = fn()
        except Exception as exc:  # noqa: BLE001 (reported by the caller's assertion)
            barrier.abort()
            out = repr(exc)
        finally:
            connections.close_all()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_six_sweeps_chase_each_compound_once(world):
    with time_machine.travel(NOW, tick=False):
        open_event(world, compounds=[world.a.pk, world.b.pk])
    evening = timezone.make_aware(datetime(2026, 7, 14, 18, 30))
    with time_machine.travel(evening, tick=False):
        results = _race(6, services.reports_chase)
    assert sum(r for r in results if isinstance(r, int)) == 2, results
    told = Notification.objects.filter(kind="emergency.report_missing")
    assert told.filter(recipient=world.manager_a).count() == 1
    assert told.filter(recipient=world.outsider_b).count() == 1


def test_eight_first_reports_make_one(world):
    with time_machine.travel(NOW, tick=False):
        open_event(world, compounds=[world.a.pk])
        event = Event.objects.get()

        def send():
            report, _created = services.report_submit(
                actor=world.manager_a, event=event, compound=world.a, on_duty=3, note="x"
            )
            return report.pk

        results = _race(8, send)
    assert DailyReport.objects.count() == 1
    assert set(results) == {DailyReport.objects.get().pk}, results
