"""Emergency command: open a city-wide event over 2,000 compounds and time
until every compound's checklist and notices exist.

The setup (a child process on the bench database) builds a city of
``BENCH_EMERGENCY_COMPOUNDS`` compounds (2,000) in 4 districts × 10 streets,
each compound with a manager and a staff member (who are told), and a
city regulator. The run then times, in one process: the request's part
(``event_open``: the event, its 2,000 compound rows, the job and its queued
task, in one transaction) and the background job (``event_prepare``: every
checklist item, notice and roll-call row, a batch of 200 compounds at a time,
with progress), and checks every compound has its five flood items and both
its people their notice. ``ratio`` = the request's seconds ÷ the whole
(how little of the work the person opening the event waits for). Database
as in :func:`bench.harness.database`."""

import os
import tempfile
import time

from bench import harness

MODULE = "bench_emergency"
COMPOUNDS = int(os.environ.get("BENCH_EMERGENCY_COMPOUNDS", "2000"))


def _setup(n: int) -> dict:
    from django.contrib.auth.hashers import make_password

    from wanjia.core.models import Company, Compound, Membership, Region, ScopeType, User
    from wanjia.core.roles import Role

    city = Region.objects.create(kind="city", name="基准市", code="B-CITY", path="")
    Region.objects.filter(pk=city.pk).update(path=f"/{city.pk}/")
    city.refresh_from_db()
    communities = []
    for d in range(4):
        district = Region.objects.create(
            kind="district", name=f"区{d}", code=f"B-D{d}", parent=city
        )
        Region.objects.filter(pk=district.pk).update(path=f"{city.path}{district.pk}/")
        district.refresh_from_db()
        for s in range(10):
            street = Region.objects.create(
                kind="street", name=f"街道{d}-{s}", code=f"B-S{d}-{s}", parent=district
            )
            Region.objects.filter(pk=street.pk).update(path=f"{district.path}{street.pk}/")
            street.refresh_from_db()
            com = Region.objects.create(
                kind="community", name=f"社区{d}-{s}", code=f"B-C{d}-{s}", parent=street
            )
            Region.objects.filter(pk=com.pk).update(path=f"{street.path}{com.pk}/")
            com.refresh_from_db()
            communities.append(com)
    company = Company.objects.create(name="基准物业")
    Compound.objects.bulk_create(
        [
            Compound(
                name=f"小区{i:04d}",
                code=f"B{i:05d}",
                community=communities[i % len(communities)],
                company=company,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [User(username=f"b{i:05d}{r}", password=password) for i in range(n) for r in "ms"],
        batch_size=1000,
    )
    by_name = {u.username: u.pk for u in User.objects.filter(username__startswith="b0")}
    by_name.update({u.username: u.pk for u in users if u.pk})
    compounds = dict(Compound.objects.filter(code__startswith="B").values_list("code", "pk"))
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=by_name[f"b{i:05d}{r}"],
                role=Role.COMPOUND_MANAGER if r == "m" else Role.STAFF,
                scope_type=ScopeType.COMPOUND,
                compound_id=compounds[f"B{i:05d}"],
            )
            for i in range(n)
            for r in "ms"
        ],
        batch_size=1000,
    )
    gov = User.objects.create(username="bench-gov", password=password)
    Membership.objects.create(
        user=gov, role=Role.REGULATOR, scope_type=ScopeType.REGION, region=city
    )
    return {"compounds": n, "city": city.pk}


def _open(city: int) -> dict:
    from django.db import connection

    from wanjia.core.models import Notification, User
    from wanjia.emergency import services
    from wanjia.emergency.models import ChecklistItem, EventCompound

    gov = User.objects.get(username="bench-gov")
    started = time.perf_counter()
    event = services.event_open(
        actor=gov, kind="flood", grade=1, title="全市防汛Ⅰ级响应", region_id=city
    )
    request_s = time.perf_counter() - started
    services.event_prepare(event.job_id, event.pk)
    total_s = time.perf_counter() - started
    compounds = EventCompound.objects.filter(event=event).count()
    items = ChecklistItem.objects.filter(event=event).count()
    notices = Notification.objects.filter(kind="emergency.opened").count()
    assert items == compounds * 5, (items, compounds)
    assert notices == compounds * 2, (notices, compounds)
    return {
        "compounds": compounds,
        "items": items,
        "notices": notices,
        "request_s": round(request_s, 2),
        "total_s": round(total_s, 2),
        "job_s": round(total_s - request_s, 2),
        "ratio": round(request_s / total_s, 3),
        "db": connection.vendor,
    }


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="wanjia-bench-emergency-") as var:
        env = {**os.environ, "WANJIA_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "wanjia.settings"}
        env.pop("DEBUG", None)
        with harness.database(env, "bench_emergency") as env:
            harness.migrate(env)
            setup = harness.child(MODULE, env, "setup", str(COMPOUNDS))
            load = os.getloadavg()[0]
            row = harness.child(MODULE, env, "open", str(setup["city"]))
            return [
                {
                    "name": f"open a city-wide event over {setup['compounds']} compounds",
                    **row,
                    "cpus": os.cpu_count(),
                    "loadavg": f"{load:.1f}->{os.getloadavg()[0]:.1f}",
                }
            ]


if __name__ == "__main__":
    harness.child_main({"setup": _setup, "open": _open})
