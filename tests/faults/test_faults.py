"""Faults with real processes (``make faults``; ``pytest -m faults``): a Huey
worker SIGKILLed in the middle of a route plan, and the queue's Redis stopped
while plans are asked for and started again. Every plan ends exactly once:
none stuck "running", none lost, none made twice. Each test prints its figures.

On SQLite by default (a file under a temporary WANJIA_VAR_DIR); on PostgreSQL
when DATABASE_URL is set (its own database, ``<name>_faults``)."""

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
