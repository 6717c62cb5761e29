"""Faults with real processes (``make faults``; ``pytest -m faults``): a Huey
worker SIGKILLed in the middle of a route plan, and the queue's Redis stopped
while plans are asked for and started again. Every plan ends exactly once:
none stuck "running", none lost, none made twice. Each test prints its figures.

On SQLite by default (a file under a temporary WANJIA_VAR_DIR); on PostgreSQL
when DATABASE_URL is set (its own database, ``<name>_faults_<pid>``)."""

import signal
import time

import pytest

from .harness import PLAN, SWEEP, WORLD, Project, Redis

pytestmark = pytest.mark.faults

JOB = "SELECT status FROM core_job WHERE id = ?"
PLAN_STATUS = "SELECT status FROM delivery_deliveryplan WHERE id = ?"


def figures(name: str, **numbers) -> None:
    print(f"\n[faults] {name}: " + ", ".join(f"{k}={v}" for k, v in numbers.items()))


def _outcome(project: Project, plan_id: int) -> dict:
    """What a finished plan left: its bags each routed once, one current plan."""
    window = project.one("SELECT window_id FROM delivery_deliveryplan WHERE id = ?", (plan_id,))
    return {
        "deliveries": project.one(
            "SELECT COUNT(*) FROM delivery_delivery WHERE plan_id = ?", (plan_id,)
        ),
        "orders_routed": project.one(
            "SELECT COUNT(DISTINCT order_id) FROM delivery_delivery WHERE plan_id = ?", (plan_id,)
        ),
        "bags": project.one("SELECT bags FROM delivery_deliveryplan WHERE id = ?", (plan_id,)),
        "current_plans": project.one(
            "SELECT COUNT(*) FROM delivery_deliveryplan WHERE window_id = ? AND current = ?",
            (window, True),
        ),
    }


@pytest.fixture
def project(tmp_path):
    p = Project(tmp_path / "var")
    yield p
    p.close()


def test_a_worker_killed_mid_plan_is_swept_and_the_plan_made_once(project):
    started = time.monotonic()
    ids = project.run(WORLD)
    plan = project.run(PLAN.format(seconds=30, **ids))  # long enough to be killed in
    worker = project.start_worker()
    project.wait_for(JOB, (plan["job"],), "running")
    time.sleep(1)  # inside the solver
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    stuck = project.one(JOB, (plan["job"],))
    assert stuck == "running"  # what a killed worker leaves behind
    # Before the silence has lasted, the sweeper leaves it alone; after, it requeues.
    assert project.run(SWEEP) == {"sent": 0, "requeued": 0, "failed": 0}
    time.sleep(5)  # WANJIA_JOB_SILENT_SECONDS=4 in the harness
    swept = project.run(SWEEP)
    assert swept["requeued"] == 1
    assert project.one(JOB, (plan["job"],)) == "queued"
    # a second sweeper at once finds nothing to do
    assert project.run(SWEEP) == {"sent": 0, "requeued": 0, "failed": 0}
    # the plan is asked for again with a short budget, and a new worker makes it
    project.sql("UPDATE delivery_deliveryplan SET seconds = 2 WHERE id = ?", (plan["plan"],))
    project.start_worker()
    project.wait_for(JOB, (plan["job"],), "done", timeout=120)
    assert project.one(PLAN_STATUS, (plan["plan"],)) == "done"
    out = _outcome(project, plan["plan"])
    assert out["deliveries"] == out["orders_routed"] == out["bags"] > 0
    assert out["current_plans"] == 1
    attempts = project.one("SELECT attempts FROM core_job WHERE id = ?", (plan["job"],))
    assert attempts == 2
    told = project.one(
        "SELECT COUNT(*) FROM core_notification WHERE kind = 'core.job' AND recipient_id = ?",
        (ids["manager"],),
    )
    assert told == 1
    stuck_after = project.one("SELECT COUNT(*) FROM core_job WHERE status = 'running'")
    figures(
        "worker SIGKILL mid-plan",
        jobs=1,
        stuck_running_after_kill=1,
        stuck_running_after_sweep=stuck_after,
        runs=attempts,
        bags=out["bags"],
        bags_lost=out["bags"] - out["orders_routed"],
        bags_doubled=out["deliveries"] - out["orders_routed"],
        seconds=round(time.monotonic() - started, 1),
    )
    assert stuck_after == 0


@pytest.fixture
def redis(tmp_path):
    r = Redis(tmp_path)
    r.start()
    yield r
    r.stop()


def test_plans_asked_for_while_redis_is_down_run_once_when_it_returns(tmp_path, redis):
    started = time.monotonic()
    project = Project(tmp_path / "var", redis_url=redis.url)
    try:
        ids = project.run(WORLD)
        redis.stop()
        asked = [project.run(PLAN.format(seconds=1, **ids)) for _ in range(3)]
        errors = 0  # plan_request answered every time (a raise fails project.run)
        pending = project.one("SELECT COUNT(*) FROM core_queuedtask WHERE status = 'pending'")
        assert pending == 3
        waiting = project.one(
            "SELECT COUNT(*) FROM core_job WHERE status = 'queued' AND message LIKE ?",
            ("%恢复后%",),
        )
        assert waiting == 3
        # a sweep while Redis is still down loses nothing
        time.sleep(0.5)
        redis.start()
        project.start_worker()
        # the queue is back: the next sweeps send each task once (the lease is 30 s;
        # tasks refused at once are due again after it)
        project.sql("UPDATE core_queuedtask SET due_at = created_at WHERE status = 'pending'")
        sent = project.run(SWEEP)["sent"] + project.run(SWEEP)["sent"]
        assert sent == 3
        for plan in asked:
            project.wait_for(JOB, (plan["job"],), "done", timeout=120)
        runs = [
            project.one("SELECT attempts FROM core_job WHERE id = ?", (p["job"],)) for p in asked
        ]
        sends = project.one("SELECT COUNT(*) FROM core_queuedtask WHERE status = 'sent'")
        doubled = sum(r - 1 for r in runs)
        figures(
            "redis stopped and restarted",
            plans_asked=len(asked),
            errors_seen=errors,
            pending_during_outage=pending,
            sent_after=sent,
            runs=sum(runs),
            lost=len(asked) - sends,
            doubled=doubled,
            seconds=round(time.monotonic() - started, 1),
        )
        assert runs == [1, 1, 1] and sends == 3
    finally:
        project.close()


def test_orders_placed_while_backends_are_terminated_exist_exactly_once(tmp_path):
    """PostgreSQL only: three times, 3 s apart, every connection of the database
    is terminated (as a restart or a failover does) while orders are placed
    over HTTP; the client retries a failed order with the same Idempotency-Key.

    (Killing every second instead starves psycopg_pool: its reconnect backoff
    outgrows the 20 s pool timeout; a restart is one event, not a storm.)"""
    import json
    import os
    import threading
    import urllib.error
    import urllib.request

    if not os.environ.get("DATABASE_URL"):
        pytest.skip("needs DATABASE_URL=postgresql://... (backends to terminate)")
    import psycopg

    from .harness import SHOP, Server

    started = time.monotonic()
    project = Project(tmp_path / "var")
    server = None
    try:
        shop = project.run(SHOP)
        server = Server(project)
        stop = threading.Event()
        killed = {"n": 0, "bursts": 0}

        def killer():
            with psycopg.connect(project.env["DATABASE_URL"], autocommit=True) as conn:
                for _burst in range(3):
                    if stop.wait(3.0 if killed["bursts"] else 0.5):
                        return
                    killed["bursts"] += 1
                    killed["n"] += conn.execute(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    ).fetchone()[0]

        def place(household: int, key: str) -> int:
            body = {"window": shop["window"], "household": household, "fulfilment": "pickup"}
            body["lines"] = [{"offer": shop["offer"], "qty": 1}]
            req = urllib.request.Request(
                f"{server.url}/api/v1/market/orders",
                data=json.dumps(body).encode(),
                headers={
                    "Authorization": f"Bearer {shop['token']}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": key,
                },
                method="POST",
            )
            try:
                with urllib.request.urlopen(req, timeout=30) as res:  # noqa: S310 (loopback)
                    return res.status
            except urllib.error.HTTPError as exc:
                return exc.code
            except OSError:
                return 599

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        tried = errors = 0
        for hh in shop["households"]:
            key = f"faults-{hh}"
            for _attempt in range(10):
                tried += 1
                status = place(hh, key)
                if status < 500:
                    break
                errors += 1
                time.sleep(0.2)  # a client's retry, with the same key
            assert status in (200, 201), (hh, status)
        stop.set()
        thread.join()
        orders = project.one(
            "SELECT COUNT(*) FROM market_order WHERE window_id = ?", (shop["window"],)
        )
        per_home = project.one(
            "SELECT COUNT(DISTINCT household_id) FROM market_order WHERE window_id = ?",
            (shop["window"],),
        )
        figures(
            "backends terminated while ordering",
            requests_tried=tried,
            errors_seen=errors,
            kill_bursts=killed["bursts"],
            backends_killed=killed["n"],
            orders_wanted=len(shop["households"]),
            lost=len(shop["households"]) - per_home,
            doubled=orders - per_home,
            seconds=round(time.monotonic() - started, 1),
        )
        assert orders == per_home == len(shop["households"])
    finally:
        if server:
            server.stop()
        project.close()
