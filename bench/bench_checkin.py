"""Night-patrol check-ins under load.

50 guards (threads, each with a keep-alive connection and a bearer token) post
check-ins at once through ``POST /api/v1/patrol/checkins`` (signed QR token,
Idempotency-Key, run-stop matching with its conditional claim, the integrity
flags' queries, audit) against gunicorn; beside it, in the same run and the
same way, the bare endpoint of :mod:`bench.harness` (same API stack and auth,
one INSERT). ``ratio`` = check-ins per second ÷ bare posts per second (the
issue asks for ≥ 0.5). Then every key is sent again (a phone replaying its
queue): the replays must answer the first record and write nothing.

The guards work in 10 compounds, five to a compound as on a real night (50 in
one compound would queue every check-in behind one round's row lock). Each
compound has 20 checkpoints on a free-order route with a round every
15 minutes, so a check-in claims a due stop while stops remain. Database as in
:func:`bench.harness.database`. Knobs: ``BENCH_CHECKIN_GUARDS`` (50),
``BENCH_CHECKINS`` (1500)."""

import json
import os
import tempfile
from pathlib import Path

from bench import harness

MODULE = "bench_checkin"
GUARDS = int(os.environ.get("BENCH_CHECKIN_GUARDS", "50"))
CHECKINS = int(os.environ.get("BENCH_CHECKINS", "1500"))
POINTS = 20


def _checkin_jobs(setup: dict, first: int, count: int) -> list:
    guards = setup["guards"]
    jobs = []
    for n in range(first, first + count):
        key, device, compound = guards[n % len(guards)]
        token, lat, lng = setup["points"][compound][(n // len(guards)) % POINTS]
        body = json.dumps({"token": token, "lat": lat, "lng": lng, "device_id": device})
        headers = {
            "Authorization": f"Bearer {key}",
            "Idempotency-Key": f"scan-{n}",
            "Content-Type": "application/json",
        }
        jobs.append(("/api/v1/patrol/checkins", body.encode(), headers))
    return jobs


def _throughput(env: dict, var: Path) -> list[dict]:
    warm = GUARDS * 2
    setup = harness.child(MODULE, env, "setup", str(GUARDS))
    keys = [k for k, _d, _c in setup["guards"]]
    with harness.server(env, var / "gunicorn.log") as port:
        harness.fire(port, harness.bare_jobs(keys, warm), GUARDS)  # workers up, connected
        harness.fire(port, _checkin_jobs(setup, 0, warm), GUARDS)
        bare = harness.fire(port, harness.bare_jobs(keys, CHECKINS), GUARDS)
        checkins = harness.fire(port, _checkin_jobs(setup, warm, CHECKINS), GUARDS)
        replays = harness.fire(port, _checkin_jobs(setup, warm, CHECKINS), GUARDS)
    check = harness.child(MODULE, env, "check", "0")
    workers = f"{harness.WORKERS}x{harness.THREADS}"
    common = {"guards": GUARDS, "workers": workers, "db": env["BENCH_DB"]}
    return [
        {"name": "bare endpoint: POST inserting one row (same auth)", **common, **bare},
        {
            "name": "check-in POST /api/v1/patrol/checkins",
            **common,
            **checkins,
            "bare_rps": bare["rps"],
            "ratio": round(checkins["rps"] / bare["rps"], 2),
        },
        {
            "name": "the same check-ins replayed (same Idempotency-Keys)",
            **common,
            **replays,
            "checkins_in_db": check["checkins"],
            "expected_in_db": warm + CHECKINS,
            "stops_claimed": check["stops_claimed"],
            "stops_claimed_twice": check["claimed_twice"],
        },
    ]


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="wanjia-bench-checkin-") as var:
        env = {**os.environ, "WANJIA_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "wanjia.settings"}
        env.pop("DEBUG", None)
        with harness.database(env, "bench_checkin") as env:
            harness.migrate(env)
            load = os.getloadavg()[0]
            rows = _throughput(env, Path(var))
            for row in rows:
                row.update(cpus=os.cpu_count(), loadavg=f"{load:.1f}->{os.getloadavg()[0]:.1f}")
            return rows


# --- in a child process, against the bench database ----------------------------------------


def _setup(guards: int) -> dict:
    """``guards`` staff on patrol duty (bearer tokens), five to a compound;
    each compound with 20 checkpoints about 60 m apart on a free-order route,
    rounds every 15 minutes from two hours ago to two hours ahead."""
    from datetime import time, timedelta

    from django.utils import timezone

    from wanjia.core.models import ApiToken
    from wanjia.core.roles import Role
    from wanjia.estates.testing import grant, make_compound, make_user
    from wanjia.patrol import services
    from wanjia.patrol.models import CheckpointKind
    from wanjia.patrol.services.checkins import qr_token

    harness.ping_table()
    now = timezone.now()
    guards_out, points_out, compounds = [], [], []
    for c in range(-(-guards // 5)):
        compound = make_compound(f"巡逻压测苑{c + 1}", buildings=2)
        manager = grant(make_user(f"bench_patrol_manager_{c}"), Role.COMPOUND_MANAGER, compound)
        points = [
            services.checkpoint_create(
                actor=manager,
                compound=compound,
                name=f"巡更点{n + 1}",
                kind=CheckpointKind.PERIMETER,
                x=5 + 4 * n,
                y=50,
                lat=29.58 + 0.00054 * (n % 5),
                lng=105.05 + 0.00062 * (n // 5),
            )
            for n in range(POINTS)
        ]
        route = services.route_create(
            actor=manager,
            compound=compound,
            name="压测路线",
            checkpoints=points,
            minutes=[1] * POINTS,
        )
        schedule = services.schedule_set(
            actor=manager, route=route, every_minutes=15, start=time(0), end=time(23, 59)
        )
        services.runs_generate_for(schedule, now - timedelta(hours=2), now + timedelta(hours=2))
        compounds.append(compound)
        points_out.append([[qr_token(cp), cp.lat, cp.lng] for cp in points])
    for n in range(guards):
        compound_no = n % len(compounds)
        user = grant(make_user(f"bench_guard_{n}"), Role.STAFF, compounds[compound_no])
        key = f"guard-{user.pk}-0123456789abcdef"
        ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), prefix=key[:8])
        guards_out.append([key, f"phone-{n}", compound_no])
    return {"guards": guards_out, "points": points_out}


def _check(_arg: int) -> dict:
    from django.db.models import Count

    from wanjia.patrol.models import CheckIn, RunStop

    claimed = RunStop.objects.filter(checkin__isnull=False)
    twice = (
        claimed.values("checkin").annotate(n=Count("id")).filter(n__gt=1).count()
    )  # one check-in counted for two stops
    return {
        "checkins": CheckIn.objects.count(),
        "stops_claimed": claimed.count(),
        "claimed_twice": twice,
    }


if __name__ == "__main__":
    harness.child_main({"setup": _setup, "check": _check})
