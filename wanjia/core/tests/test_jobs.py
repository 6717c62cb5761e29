"""Job records: life cycle, live progress from inside a transaction, and the
scoped status page with its self-polling htmx partial."""

import os
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import wanjia.estates.views_io  # noqa: F401  (registers the import job kind)
from wanjia.core.jobs import (
    job_create,
    job_fail,
    job_finish,
    job_progress,
    job_start,
    jobs_visible_to,
    with_live_progress,
)
from wanjia.core.models import Job, JobStatus


@pytest.fixture
def job(world):
    return job_create(actor=world.manager_a, kind="estates.import", compound=world.a)


def page(client, job, **headers):
    return client.get(reverse("job_status", kwargs={"job_id": job.pk}), headers=headers)


def test_life_cycle(job):
    assert job.status == JobStatus.QUEUED and job.percent == 0
    assert job_start(job=job) is True
    assert job_start(job=Job.objects.get(pk=job.pk)) is False  # claimed once only
    job_progress(job=job, progress=250, total=1000, message="一半之前")
    fresh = Job.objects.get(pk=job.pk)
    assert (fresh.status, fresh.progress, fresh.total, fresh.percent) == ("running", 250, 1000, 25)
    assert fresh.message == "一半之前"
    assert job_finish(job=job, result={"n": 3}, message="好了") is True
    fresh = Job.objects.get(pk=job.pk)
    assert (fresh.status, fresh.result, fresh.percent) == ("done", {"n": 3}, 100)
    assert fresh.finished_at is not None
    # an ended job is never flipped again, and progress no longer moves it
    assert job_fail(job=job, message="迟到的失败") is False
    job_progress(job=job, progress=1, total=1000)
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_fail_keeps_the_result(job):
    job_start(job=job)
    assert job_fail(job=job, message="坏了", result={"errors": [1]})
    fresh = Job.objects.get(pk=job.pk)
    assert (fresh.status, fresh.message, fresh.result) == ("failed", "坏了", {"errors": [1]})


def test_progress_reported_inside_a_transaction_is_visible_through_the_cache(job):
    job_start(job=job)
    with transaction.atomic():
        job_progress(job=job, progress=600, total=1000, message="正在写入")
        transaction.set_rollback(True)  # as if the row update were not yet committed
    stale = Job.objects.get(pk=job.pk)
    assert stale.progress == 0
    live = with_live_progress(stale)
    assert (live.progress, live.total, live.message) == (600, 1000, "正在写入")
    job_finish(job=job)
    assert with_live_progress(Job.objects.get(pk=job.pk)).percent == 100


def test_page_polls_while_running_and_stops_when_done(world, login, job):
    client = login(world.manager_a)
    full = page(client, job)
    assert full.status_code == 200
    assert "<html" in full.content.decode() and 'hx-trigger="every 1s"' in full.content.decode()
    job_start(job=job)
    job_progress(job=job, progress=400, total=1000, message="正在检查第40行")
    partial = page(client, job, HX_Request="true").content.decode()
    assert "<html" not in partial
    assert 'hx-trigger="every 1s"' in partial and 'value="40"' in partial and "第40行" in partial
    job_finish(job=job, result={"ok": True, "created": {"residents": 5}, "reused": {}})
    done = page(client, job, HX_Request="true").content.decode()
    assert "hx-trigger" not in done and "已完成" in done


def test_who_sees_a_job(world, login, job):
    # the creator, and others holding the kind's capability over the compound
    assert page(login(world.manager_a), job).status_code == 200
    assert page(login(world.company_admin_a), job).status_code == 200
    for persona in ("secretary_a", "staff_a", "resident_a", "regulator", "outsider_b"):
        assert page(login(getattr(world, persona)), job).status_code == 404, persona
    missing = reverse("job_status", kwargs={"job_id": job.pk + 1000})
    assert login(world.manager_a).get(missing).status_code == 404


def test_a_job_of_an_unregistered_kind_is_seen_by_its_creator_only(world, login):
    mine = job_create(actor=world.staff_a, kind="tests.something", compound=world.a)
    assert page(login(world.staff_a), mine).status_code == 200
    assert page(login(world.manager_a), mine).status_code == 404
    assert set(jobs_visible_to(world.staff_a)) == {mine}


def test_creator_who_left_the_compound_no_longer_sees_its_jobs(world, login, job):
    world.manager_a.memberships.all().delete()
    world.manager_a.__dict__.pop("_wanjia_memberships", None)
    assert page(login(world.manager_a), job).status_code == 404


def test_anonymous_is_sent_to_login(client, job):
    r = page(client, job)
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_sweep_ends_stale_imports_and_removes_old_uploads(world, settings, tmp_path, job):
    from wanjia.estates.tasks import imports_dir, imports_sweep

    settings.MEDIA_ROOT = tmp_path
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=25))
    fresh = job_create(actor=world.manager_a, kind="estates.import", compound=world.a)
    old_file, new_file = imports_dir() / "old.xlsx", imports_dir() / "new.xlsx"
    old_file.write_bytes(b"x")
    new_file.write_bytes(b"x")
    day_ago = time.time() - 25 * 3600
    os.utime(old_file, (day_ago, day_ago))
    imports_sweep.call_local()
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED
    assert Job.objects.get(pk=fresh.pk).status == JobStatus.QUEUED
    assert not old_file.exists() and new_file.exists()
