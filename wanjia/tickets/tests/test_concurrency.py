"""Race-safe limits on PostgreSQL (real concurrent transactions; SQLite
serialises writers, so the race cannot be staged there): 16 reports of one
household at once make exactly 10 tickets; two workers accepting one ticket
at once make one acceptance; two sweeps at once send each warning once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from wanjia.core.errors import Conflict
from wanjia.core.models import Notification
from wanjia.tickets import services
from wanjia.tickets.models import DailyCount, Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def _race(n, fn):
    barrier = threading.Barrier(n)
    results = []

    def run(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except Conflict:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_sixteen_reports_at_once_make_exactly_ten(world):
    services.categories_ensure(world.a.company)
    results = _race(
        16,
        lambda i: (
            services.ticket_open(
                actor=world.resident_a, category="plumbing", description=f"并发 {i}"
            ).pk
        ),
    )
    assert results.count("conflict") == 6
    assert Ticket.objects.filter(household=world.home).count() == 10
    assert DailyCount.objects.get(household=world.home).count == 10


def test_two_accepts_at_once_make_one(world):
    t = services.ticket_open(actor=world.resident_a, category="plumbing", description="x")
    results = _race(
        2,
        lambda i: (
            services.ticket_accept(
                actor=[world.staff_a, world.manager_a][i], ticket=Ticket.objects.get(pk=t.pk)
            ).status
        ),
    )
    assert results.count("conflict") == 1 and len(results) == 2
    assert t.events.filter(kind="accepted").count() == 1


def test_two_sweeps_at_once_warn_once(world):
    t = services.ticket_open(actor=world.resident_a, category="leak", description="漏水")
    Ticket.objects.filter(pk=t.pk).update(
        created_at=timezone.now() - timedelta(minutes=25),
        respond_by=timezone.now() + timedelta(minutes=5),
    )
    _race(2, lambda i: services.tickets_sweep())
    assert Notification.objects.filter(title__contains="即将超时").count() == 1
