"""Convenience-service bookings under load.

50 residents of one compound (threads, each with a keep-alive connection and
a bearer token) book the same set of slots at once through
``POST /api/v1/bookings`` (Idempotency-Key, the slot's conditional UPDATE,
the partial unique index, audit) against gunicorn; beside it, in the same run
and the same way, the bare endpoint of :mod:`bench.harness` (same API stack
and auth, one INSERT). ``ratio`` = bookings per second ÷ bare posts per
second (the issue asks for ≥ 0.5). Every client walks the slots in the same
order, so all 50 race for each slot's places together: each slot has
``CAPACITY`` places (40 of 50) and a waitlist.

Then the exact count is checked: every slot holds exactly ``CAPACITY``
booked and the rest waitlisted, its ``booked`` counter agrees with its rows,
and every key sent again (a phone retrying) answers the first result and
writes nothing. Database as in :func:`bench.harness.database`. Knobs:
``BENCH_BOOKING_CLIENTS`` (50), ``BENCH_BOOKINGS`` (1500)."""

import json
import os
import tempfile
from pathlib import Path

from bench import harness

MODULE = "bench_bookings"
CLIENTS = int(os.environ.get("BENCH_BOOKING_CLIENTS", "50"))
# whole rounds: every client books every slot once
BOOKINGS = -(-int(os.environ.get("BENCH_BOOKINGS", "1500")) // CLIENTS) * CLIENTS
CAPACITY = max(CLIENTS * 4 // 5, 1)


def _jobs(setup: dict, first: int, count: int) -> list:
    keys, slots = setup["keys"], setup["slots"]
    jobs = []
    for n in range(first, first + count):
        client = n % len(keys)
        slot = slots[n // len(keys)]
        headers = {
            "Authorization": f"Bearer {keys[client]}",
            "Idempotency-Key": f"book-{n}",
            "Content-Type": "application/json",
        }
        jobs.append(("/api/v1/bookings", json.dumps({"slot": slot}).encode(), headers))
    return jobs


def _throughput(env: dict, var: Path) -> list[dict]:
    warm = CLIENTS * 2
    total = warm + BOOKINGS
    slots_needed = -(-total // CLIENTS)
    setup = harness.child(MODULE, env, "setup", str(slots_needed))
    keys = setup["keys"]
    with harness.server(env, var / "gunicorn.log") as port:
        harness.fire(port, harness.bare_jobs(keys, warm), CLIENTS)  # workers up, connected
        harness.fire(port, _jobs(setup, 0, warm), CLIENTS)
        bare = harness.fire(port, harness.bare_jobs(keys, BOOKINGS), CLIENTS)
        bookings = harness.fire(port, _jobs(setup, warm, BOOKINGS), CLIENTS)
        replays = harness.fire(port, _jobs(setup, warm, BOOKINGS), CLIENTS)
    check = harness.child(MODULE, env, "check", str(total))
    workers = f"{harness.WORKERS}x{harness.THREADS}"
    common = {"clients": CLIENTS, "workers": workers, "db": env["BENCH_DB"]}
    full_slots = total // CLIENTS
    return [
        {"name": "bare endpoint: POST inserting one row (same auth)", **common, **bare},
        {
            "name": "booking POST /api/v1/bookings (50 clients race for each slot)",
            **common,
            **bookings,
            "bare_rps": bare["rps"],
            "ratio": round(bookings["rps"] / bare["rps"], 2),
        },
        {
            "name": "the same bookings replayed (same Idempotency-Keys)",
            **common,
            **replays,
            "bookings_in_db": check["bookings"],
            "expected_in_db": total,
            "booked": check["booked"],
            "expected_booked": full_slots * CAPACITY,
            "waitlisted": check["waitlisted"],
            "slots_over_capacity": check["over"],
            "counters_off": check["counters_off"],
        },
    ]


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="wanjia-bench-bookings-") as var:
        env = {**os.environ, "WANJIA_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "wanjia.settings"}
        env.pop("DEBUG", None)
        with harness.database(env, "bench_bookings") as env:
            harness.migrate(env)
            load = os.getloadavg()[0]
            rows = _throughput(env, Path(var))
            for row in rows:
                row.update(cpus=os.cpu_count(), loadavg=f"{load:.1f}->{os.getloadavg()[0]:.1f}")
            failed = [r for r in rows if r.get("slots_over_capacity") or r.get("counters_off")]
            check = rows[2]
            if (
                failed
                or check["bookings_in_db"] != check["expected_in_db"]
                or check["booked"] != check["expected_booked"]
            ):
                raise AssertionError(f"bookings bench: counts are off: {check}")
            return rows


# --- in a child process, against the bench database ----------------------------------------


def _setup(slots: int) -> dict:
    """One compound, ``CLIENTS`` households each with a resident (bearer
    tokens), and a haircut service with ``slots`` slots of ``CAPACITY``
    places tomorrow (far from the cut-off), with a waitlist."""
    from datetime import time, timedelta

    from django.utils import timezone

    from wanjia.conveniences import services
    from wanjia.core.models import ApiToken
    from wanjia.core.roles import Role
    from wanjia.estates.models import Household
    from wanjia.estates.testing import grant, make_compound, make_user

    harness.ping_table()
    compound = make_compound("预约压测苑", buildings=5, floors=6, rooms_per_floor=2)
    manager = grant(make_user("bench_conv_manager"), Role.COMPOUND_MANAGER, compound)
    service = services.service_create(
        actor=manager,
        compound=compound,
        name="义剪",
        kind="slot",
        resources="\n".join(f"师傅{n}" for n in range(-(-slots // 40))),
        slot_minutes=15,
    )
    day = timezone.localdate() + timedelta(days=1)
    services.slots_generate(
        actor=manager, service=service, day=day, start=time(8), end=time(18), capacity=CAPACITY
    )
    slot_ids = list(
        service.slots.order_by("starts_at", "resource").values_list("pk", flat=True)[:slots]
    )
    assert len(slot_ids) == slots, (len(slot_ids), slots)
    keys = []
    homes = list(Household.objects.filter(compound=compound).order_by("id")[:CLIENTS])
    assert len(homes) == CLIENTS
    for n, home in enumerate(homes):
        user = grant(make_user(f"bench_conv_resident_{n}"), Role.RESIDENT, home)
        key = f"resident-{user.pk}-0123456789abcdef"
        ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), prefix=key[:8])
        keys.append(key)
    return {"keys": keys, "slots": slot_ids}


def _check(total: int) -> dict:
    from django.db.models import Count, F, Q

    from wanjia.conveniences.models import Booking, Slot, Status

    slots = Slot.objects.annotate(rows=Count("bookings", filter=Q(bookings__status=Status.BOOKED)))
    return {
        "bookings": Booking.objects.count(),
        "booked": Booking.objects.filter(status=Status.BOOKED).count(),
        "waitlisted": Booking.objects.filter(status=Status.WAITLISTED).count(),
        "over": Slot.objects.filter(booked__gt=F("capacity")).count(),
        "counters_off": slots.exclude(rows=F("booked")).count(),
    }


if __name__ == "__main__":
    harness.child_main({"setup": _setup, "check": _check})
