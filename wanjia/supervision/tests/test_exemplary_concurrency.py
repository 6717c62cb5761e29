"""Races (PostgreSQL: real concurrent transactions; SQLite serialises
writers, so the race cannot be staged there): six nominations of one record
at once make one case, the others a field-level error; six officers selecting
one case at once select it once — one audit entry, one notice, one piece of
good-conduct evidence."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from wanjia.core import conduct
from wanjia.core.models import AuditLog, Notification
from wanjia.supervision.exemplary import services
from wanjia.supervision.exemplary.models import ExemplaryCase

from .exemplary_support import FORM, deed, registered

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


@pytest.fixture(autouse=True)
def _source():
    yield from registered()


def _race(n, fn):
    barrier = threading.Barrier(n)
    results, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait(timeout=60)
            out = fn()
        except Exception as exc:  # noqa: BLE001 (reported by the caller's assertion)
            out = exc
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


def test_six_nominations_of_one_record_make_one(world):
    key = deed(world.a)
    results = _race(6, lambda: services.nominate(actor=world.manager_a, key=key, **FORM).pk)
    made = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if not isinstance(r, int)]
    assert len(made) == 1 and ExemplaryCase.objects.count() == 1, results
    assert all(set(getattr(r, "errors", {})) == {"source"} for r in refused), results


def test_six_officers_select_once(world):
    case = services.nominate(actor=world.manager_a, key=deed(world.a), **FORM)

    def select():
        services.review(actor=world.regulator, case=case, decision="select")
        return "ok"

    results = _race(6, select)
    assert results.count("ok") == 1, results
    assert AuditLog.objects.filter(action="supervision.exemplary.selected").count() == 1
    assert (
        Notification.objects.filter(
            recipient=world.manager_a, kind="supervision.exemplary.reviewed"
        ).count()
        == 1
    )
    today = timezone.localdate()
    found = conduct.rule(services.RULE).collect(
        [world.a.company_id], today - timedelta(days=1), today
    )
    assert len(found) == 1
