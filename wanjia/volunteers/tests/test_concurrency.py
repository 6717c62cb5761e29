"""30 concurrent sign-ups for 10 places make exactly 10 (PostgreSQL: real
concurrent transactions; SQLite serialises writers, so the race cannot be
staged there)."""

import copy
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from wanjia.core.errors import Conflict
from wanjia.core.roles import Role
from wanjia.core.testing import grant, make_user
from wanjia.volunteers import services
from wanjia.volunteers.models import Signup, Task

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def test_thirty_sign_ups_for_ten_places(world):
    start = timezone.now() + timedelta(days=1)
    task = services.task_post(
        actor=world.manager_a,
        compound=world.a,
        title="清晨分拣",
        kind="sorting",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        places=10,
    )
    users = [grant(make_user(f"race{n}"), Role.VOLUNTEER, world.a) for n in range(30)]
    for u in users:  # their records exist before the race: only places are raced for
        services.volunteer_for(u, world.a)
    barrier = threading.Barrier(30)
    results = []
    lock = threading.Lock()

    loaded = Task.objects.select_related("compound").get(pk=task.pk)

    def tap(user):
        try:
            # no connection is held at the barrier (the pool lends 20 at most)
            stale = copy.copy(loaded)
            barrier.wait(timeout=60)
            services.signup(actor=user, task=stale)
            outcome = "ok"
        except Conflict:
            outcome = "full"
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            barrier.abort()
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=tap, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(results)) == ["full", "ok"], results
    assert results.count("ok") == 10 and results.count("full") == 20
    assert Task.objects.get(pk=task.pk).taken == 10
    assert Signup.objects.filter(task=task, status="signed").count() == 10
