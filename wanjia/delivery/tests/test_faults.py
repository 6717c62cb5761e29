"""Faults in the background: the queue down when a plan is asked for, a worker
killed in the middle of a plan. Nothing is lost, nothing stays "running", and
the person who asked is told. (Real processes: tests/faults/.)"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from wanjia.core import jobs
from wanjia.core.models import Job, JobStatus, Notification, QueuedTask, TaskStatus
from wanjia.delivery import services
from wanjia.delivery.models import DeliveryPlan, PlanStatus
from wanjia.delivery.testing import post_courier, sorted_window

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"faults-{tmp_path.name}",
        }
    }


@pytest.fixture(autouse=True)
def _no_sizing(monkeypatch):
    from wanjia.delivery.services import planning

    monkeypatch.setattr(planning, "_sizing", lambda *args, **kwargs: {})


@pytest.fixture
def kit(world):
    kit = sorted_window(world)
    post_courier(world, kit, user=world.staff_a, name="赵师傅")
    return kit


@pytest.fixture
def runs(monkeypatch):
    """How many times the planning task really ran."""
    count = {"n": 0}
    real = services.plan_run

    def counted(plan_id):
        count["n"] += 1
        return real(plan_id)

    monkeypatch.setattr("wanjia.delivery.tasks.plan_run", counted)
    return count


def queue_down(monkeypatch):
    def refuse(task):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(HUEY, "enqueue", refuse)


def test_queue_down_the_plan_is_accepted_waits_and_runs_once_when_back(
    world, kit, api, monkeypatch, runs, django_capture_on_commit_callbacks
):
    queue_down(monkeypatch)
    client = api(world.manager_a)
    body = {"couriers": [c.pk for c in kit.couriers], "seconds": 1}
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post(
            f"/api/v1/delivery/windows/{kit.window.pk}/plans",
            json.dumps(body),
            content_type="application/json",
        )
    assert res.status_code == 202, res.content  # the request answers
    plan = DeliveryPlan.objects.get()
    progress = client.get(res.json()["status_url"]).json()["progress"]
    assert progress["status"] == "queued"
    assert progress["message"] == str(jobs.WAITING)
    row = QueuedTask.objects.get(job=plan.job)
    assert (row.status, row.attempts, runs["n"]) == (TaskStatus.PENDING, 1, 0)
    assert "Connection refused" in row.error
    # still down at the next sweep: still pending, nothing lost
    later = timezone.now() + jobs.RESEND + timedelta(seconds=1)
    assert jobs.jobs_sweep(now=later)["sent"] == 0
    assert QueuedTask.objects.get(pk=row.pk).status == TaskStatus.PENDING
    # the queue is back: the sweeper sends it once, and the plan is made once
    monkeypatch.undo()
    monkeypatch.setattr("wanjia.delivery.tasks.plan_run", _counting(runs))
    again = later + jobs.RESEND + timedelta(seconds=1)
    assert jobs.jobs_sweep(now=again)["sent"] == 1
    assert jobs.jobs_sweep(now=again + jobs.RESEND * 2)["sent"] == 0
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DONE and runs["n"] == 1
    assert QueuedTask.objects.get(pk=row.pk).status == TaskStatus.SENT
    assert Job.objects.get(pk=plan.job_id).attempts == 1


def _counting(runs):
    real = services.plan_run

    def counted(plan_id):
        runs["n"] += 1
        return real(plan_id)

    return counted


def test_a_rolled_back_request_asks_for_nothing(world, kit):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.plan_request(
            actor=world.manager_a, window=kit.window, couriers=kit.couriers, seconds=1
        )
        raise RuntimeError
    assert not QueuedTask.objects.exists()


def _killed_mid_plan(world, kit):
    """A plan whose worker claimed the job, beat once, and died (SIGKILL)."""
    plan = services.plan_request(
        actor=world.manager_a, window=kit.window, couriers=kit.couriers, seconds=1
    )
    # the task was sent on commit (the test's transaction never commits)
    QueuedTask.objects.filter(job=plan.job).update(status=TaskStatus.SENT)
    assert jobs.job_start(job=plan.job)
    DeliveryPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.RUNNING)
    return plan


def test_a_silent_plan_is_requeued_once_then_failed_and_the_planner_told(world, kit, runs):
    plan = _killed_mid_plan(world, kit)
    now = timezone.now()
    # beating recently: alive, left alone
    assert jobs.jobs_sweep(now=now + jobs.silent() / 2) == {"sent": 0, "requeued": 0, "failed": 0}
    # silent: requeued (a plan is stored in one transaction, so a rerun is safe) and run
    silent_at = now + jobs.silent() + timedelta(seconds=1)
    out = jobs.jobs_sweep(now=silent_at)
    assert out["requeued"] == 1
    plan.refresh_from_db()
    # (tests run tasks inline once committed; here the test's transaction never
    # commits, so the requeued task is sent by hand, as on_commit would)
    assert plan.job.status == JobStatus.QUEUED
    assert jobs.task_send(QueuedTask.objects.get(job=plan.job).pk, now=silent_at)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DONE and runs["n"] == 1
    note = Notification.objects.get(recipient=world.manager_a, kind="core.job")
    assert "重新开始" in note.title and f"/jobs/{plan.job_id}/" in note.link


def test_a_plan_silent_twice_fails_and_nothing_stays_running(world, kit):
    plan = _killed_mid_plan(world, kit)
    Job.objects.filter(pk=plan.job_id).update(attempts=2)  # its second run died too
    now = timezone.now() + jobs.silent() + timedelta(seconds=1)
    assert jobs.jobs_sweep(now=now)["failed"] == 1
    assert jobs.jobs_sweep(now=now)["failed"] == 0  # a second sweeper finds nothing
    plan.refresh_from_db()
    assert plan.job.status == JobStatus.FAILED and plan.status == PlanStatus.FAILED
    assert plan.job.finished_at is not None
    note = Notification.objects.get(recipient=world.manager_a, kind="core.job")
    assert "失败" in note.title


def test_a_job_beating_in_the_cache_inside_a_long_transaction_is_alive(world, kit):
    plan = _killed_mid_plan(world, kit)
    later = timezone.now() + jobs.silent() * 3
    jobs.cache.set(jobs._beat_key(plan.job), later.timestamp())
    assert jobs.jobs_sweep(now=later)["failed"] + jobs.jobs_sweep(now=later)["requeued"] == 0
    assert Job.objects.get(pk=plan.job_id).status == JobStatus.RUNNING


def test_the_heartbeat_thread_beats_while_the_body_runs(world, kit):
    import threading

    plan = _killed_mid_plan(world, kit)
    seen = threading.Event()
    real = jobs._beat

    def beat(job):
        try:  # the thread's own connection may find the test's SQLite table locked
            real(job)
        finally:
            seen.set()

    jobs_beat = jobs._beat
    try:
        jobs._beat = beat
        with jobs.job_heartbeat(plan.job, every=timedelta(milliseconds=20)):
            assert seen.wait(5)
    finally:
        jobs._beat = jobs_beat
    assert jobs._beats_in_cache(plan.job, timezone.now() - timedelta(seconds=5))
