"""Two outcomes on one visit at once keep one (PostgreSQL: real concurrent
transactions; SQLite serialises writers, so the race cannot be staged there)."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from wanjia.care import services
from wanjia.care.models import Escalation, Visit
from wanjia.core.errors import Conflict

from .conftest import DAY, build_care

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def test_concurrent_outcomes_keep_one(world):
    p1, _p2, _p3 = build_care(world)
    services.visits_generate(DAY)
    visit = Visit.objects.get(person=p1, date=DAY)
    barrier = threading.Barrier(2)
    results = []

    def tap(user, outcome):
        try:
            stale = Visit.objects.get(pk=visit.pk)
            barrier.wait()
            services.record_outcome(actor=user, visit=stale, outcome=outcome)
            results.append(outcome)
        except Conflict:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=tap, args=(world.staff_a, "no_answer")),
        threading.Thread(target=tap, args=(world.secretary_a, "well")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results)[0] == "conflict" and len(results) == 2
    kept = Visit.objects.get(pk=visit.pk)
    assert kept.outcome in ("no_answer", "well")
    assert [kept.outcome] == [r for r in results if r != "conflict"]
    assert Escalation.objects.filter(visit=visit).count() == (kept.outcome == "no_answer")


def test_two_sweepers_fire_each_step_once(world):
    """Two escalation sweeps at once (two workers, a retried job): the chain
    moves through each step once, with one notice and one audit row a step."""
    from wanjia.core.models import AuditLog, Notification

    from .conftest import at

    p1, _p2, _p3 = build_care(world)
    services.visits_generate(DAY)
    visit = Visit.objects.get(person=p1, date=DAY)
    esc = services.escalation_open(visit=visit, at=at(9))
    now = at(9) + timezone.timedelta(minutes=200)  # past the retry and the contacts: step 3
    barrier = threading.Barrier(2)
    fired = []

    def sweep():
        try:
            barrier.wait()
            fired.append(services.escalations_sweep(now=now)["fired"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    esc.refresh_from_db()
    assert esc.step == 3
    assert [h["step"] for h in esc.history] == [1, 2, 3]
    assert sum(fired) == 2
    assert AuditLog.objects.filter(action="care.escalation.stepped").count() == 2
    assert Notification.objects.filter(kind="care.escalation").count() == 3
