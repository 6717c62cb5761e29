"""Two requests marked available at once from a store that holds enough for
one: one is taken, the other refused, and the store never goes below zero
(PostgreSQL: real concurrent transactions; SQLite serialises writers)."""

import threading

import pytest
from django.db import connection, connections

from wanjia.core.errors import Conflict
from wanjia.emergency import services
from wanjia.emergency.models import MaterialRequest, Stage, Stock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def test_two_takes_from_one_store_never_oversell(flood):
    w = flood
    services.stock_set(actor=w.company_admin_a, company=w.a.company, counts={"sandbags": "100"})
    rows = [
        services.material_request(
            actor=w.staff_a, event=w.event, compound=w.a, supply="sandbags", quantity=60
        )
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    results = []

    def take(row):
        try:
            stale = MaterialRequest.objects.select_related("event", "compound__company").get(
                pk=row.pk
            )
            barrier.wait()
            services.material_move(actor=w.company_admin_a, row=stale, stage=Stage.AVAILABLE)
            results.append("taken")
        except Conflict:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(row,)) for row in rows]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refused", "taken"]
    assert Stock.objects.get(company=w.a.company, supply="sandbags").quantity == 40
    stages = sorted(MaterialRequest.objects.values_list("stage", flat=True))
    assert stages == [Stage.AVAILABLE, Stage.NEED]
