"""Two outcomes on one visit at once keep one (PostgreSQL: real concurrent
transactions; SQLite serialises writers, so the race cannot be staged there)."""

import threading

import pytest
from django.db import connection, connections

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
