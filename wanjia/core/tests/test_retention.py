"""Growth and retention (core.retention): months past retention are archived,
then deleted, exactly once, whatever is killed where; newer rows and the
supervision rollups are untouched; operational rows are pruned by age."""

import gzip
import json
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from wanjia.core import retention
from wanjia.core.models import (
    AuditLog,
    Notification,
    OutboxMessage,
    OutboxStatus,
    QueuedTask,
    TaskStatus,
)

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 12, 10, 9, 0))
TODAY = NOW.date()
AUDIT = retention.table("audit")


def at(y, m, d, hh=12):
    return timezone.make_aware(datetime(y, m, d, hh))


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archive"
    settings.AUDIT_RETENTION_MONTHS = 36  # archives the months before 2023-12
    with time_machine.travel(NOW, tick=False):
        yield settings.ARCHIVE_DIR


def _log(when, action="test.thing", **detail):
    return AuditLog.objects.create(at=when, action=action, actor_name="x", detail=detail)


@pytest.fixture
def logs():
    old = [
        _log(at(2023, 10, 1, 0), n=1),  # the month's first hour, local time
        _log(at(2023, 10, 15) + timedelta(microseconds=123456), n=2, who="张伟"),
        _log(at(2023, 10, 31, 23), n=3),
        _log(at(2023, 11, 30, 23), n=4),
    ]
    kept = [_log(at(2023, 12, 1, 0), n=5), _log(at(2026, 12, 9), n=6)]
    return old, kept


def _records(path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _snapshot(qs):
    return sorted(qs.values_list("pk", "at", "action", "actor_name", "detail"))


def test_months_past_retention_are_archived_then_deleted(logs, archive_dir):
    old, kept = logs
    kept_before = _snapshot(AuditLog.objects.filter(pk__in=[k.pk for k in kept]))
    done = retention.archive_due(TODAY)
    assert [(r.table, r.period, r.archived, r.deleted) for r in done] == [
        ("audit", "2023-10", 3, 3),
        ("audit", "2023-11", 1, 1),
    ]
    assert not AuditLog.objects.filter(pk__in=[o.pk for o in old]).exists()
    assert _snapshot(AuditLog.objects.all()) == kept_before  # newer rows untouched
    folder = archive_dir / "audit"
    oct_ = _records(folder / "2023-10.jsonl.gz")
    assert [r["pk"] for r in oct_] == [o.pk for o in old[:3]]
    assert [r["fields"]["detail"]["n"] for r in oct_] == [1, 2, 3]
    assert oct_[0]["model"] == "core.auditlog"
    manifest = json.loads((folder / "2023-10.manifest.json").read_text())
    assert manifest["rows"] == 3
    assert manifest["parts"][0]["rows"] == 3
    assert manifest["parts"][0]["sha256"] == retention.sha256_of(folder / "2023-10.jsonl.gz")
    assert (manifest["parts"][0]["first_id"], manifest["parts"][0]["last_id"]) == (
        old[0].pk,
        old[2].pk,
    )
    assert not list(folder.glob("*.part"))


def test_a_rerun_does_nothing_twice(logs, archive_dir):
    retention.archive_due(TODAY)
    files = {p.name: p.read_bytes() for p in (archive_dir / "audit").glob("2023-*")}
    assert retention.archive_due(TODAY) == []
    assert {p.name: p.read_bytes() for p in (archive_dir / "audit").glob("2023-*")} == files
    assert AuditLog.objects.count() == 2


def test_killed_between_the_file_and_the_delete_loses_and_repeats_nothing(
    logs, archive_dir, monkeypatch
):
    old, _kept = logs
    real = retention._delete_ids

    def killed(t, ids):
        raise KeyboardInterrupt  # the worker is killed once the manifest is written

    monkeypatch.setattr(retention, "_delete_ids", killed)
    with pytest.raises(KeyboardInterrupt):
        retention.archive_table("audit", "2023-12", today=TODAY)
    assert AuditLog.objects.filter(pk__in=[o.pk for o in old[:3]]).count() == 3  # nothing lost
    assert (archive_dir / "audit" / "2023-10.manifest.json").exists()
    monkeypatch.setattr(retention, "_delete_ids", real)
    done = retention.archive_table("audit", "2023-12", today=TODAY)
    assert [(r.period, r.archived, r.deleted) for r in done] == [
        ("2023-10", 0, 3),
        ("2023-11", 1, 1),
    ]
    manifest = json.loads((archive_dir / "audit" / "2023-10.manifest.json").read_text())
    assert [p["file"] for p in manifest["parts"]] == ["2023-10.jsonl.gz"]  # no second copy
    assert not AuditLog.objects.filter(pk__in=[o.pk for o in old]).exists()


def test_killed_halfway_through_the_delete(logs, archive_dir, monkeypatch):
    old, _kept = logs
    monkeypatch.setattr(retention, "BATCH", 2)
    real = retention._delete_ids

    def half(t, ids):
        real(t, ids[:2])
        raise KeyboardInterrupt

    monkeypatch.setattr(retention, "_delete_ids", half)
    with pytest.raises(KeyboardInterrupt):
        retention.archive_table("audit", "2023-11", today=TODAY)
    assert AuditLog.objects.filter(pk__in=[o.pk for o in old[:3]]).count() == 1
    monkeypatch.setattr(retention, "_delete_ids", real)
    retention.archive_table("audit", "2023-11", today=TODAY)
    assert not AuditLog.objects.filter(pk__in=[o.pk for o in old[:3]]).exists()
    assert len(_records(archive_dir / "audit" / "2023-10.jsonl.gz")) == 3
    assert not (archive_dir / "audit" / "2023-10.p2.jsonl.gz").exists()


def test_killed_while_writing_the_file_writes_it_again(logs, archive_dir):
    folder = archive_dir / "audit"
    folder.mkdir(parents=True)
    # a half-written file and a whole file no manifest names yet: both leftovers
    (folder / "2023-10.jsonl.gz.part").write_bytes(b"\x1f\x8b half")
    (folder / "2023-11.jsonl.gz").write_bytes(b"not listed anywhere")
    retention.archive_due(TODAY)
    assert len(_records(folder / "2023-10.jsonl.gz")) == 3
    assert len(_records(folder / "2023-11.jsonl.gz")) == 1
    assert not list(folder.glob("*.part"))
    assert AuditLog.objects.count() == 2


def test_a_row_arriving_late_in_an_archived_month_goes_to_a_second_part(logs, archive_dir):
    retention.archive_due(TODAY)
    late = _log(at(2023, 10, 20), n=7)
    done = retention.archive_due(TODAY)
    assert [(r.period, r.archived, r.parts) for r in done] == [
        ("2023-10", 1, ["2023-10.p2.jsonl.gz"])
    ]
    manifest = json.loads((archive_dir / "audit" / "2023-10.manifest.json").read_text())
    assert manifest["rows"] == 4
    assert [r["pk"] for r in _records(archive_dir / "audit" / "2023-10.p2.jsonl.gz")] == [late.pk]


def test_a_tampered_archive_stops_the_run_before_any_delete(logs, archive_dir, monkeypatch):
    monkeypatch.setattr(retention, "_delete_ids", lambda t, ids: (_ for _ in ()).throw(SystemExit))
    with pytest.raises(SystemExit):
        retention.archive_table("audit", "2023-11", today=TODAY)
    monkeypatch.undo()
    path = archive_dir / "audit" / "2023-10.jsonl.gz"
    manifest_path = archive_dir / "audit" / "2023-10.manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["parts"][0]["rows"] = 4  # a manifest that claims more than the file holds
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(retention.ArchiveError, match="holds 3 rows, its manifest says 4"):
        retention.archive_table("audit", "2023-11", today=TODAY)
    manifest["parts"][0]["rows"] = 3
    manifest_path.write_text(json.dumps(manifest))
    path.write_bytes(path.read_bytes() + b"x")  # a file changed after it was written
    with pytest.raises(retention.ArchiveError, match="SHA-256"):
        retention.archive_table("audit", "2023-11", today=TODAY)
    assert AuditLog.objects.filter(at__lt=at(2023, 11, 1, 0)).count() == 3


def test_a_month_restores_with_loaddata(logs, archive_dir):
    old, _kept = logs
    before = _snapshot(AuditLog.objects.filter(pk__in=[o.pk for o in old[:3]]))
    retention.archive_due(TODAY)
    call_command("loaddata", str(archive_dir / "audit" / "2023-10.jsonl.gz"), verbosity=0)
    assert _snapshot(AuditLog.objects.filter(pk__in=[o.pk for o in old[:3]])) == before


def test_the_retention_settings(settings):
    settings.AUDIT_RETENTION_MONTHS = 0
    assert retention.due_before(AUDIT, TODAY) is None  # kept forever
    settings.AUDIT_RETENTION_MONTHS = 2
    assert AUDIT.retention() == 6  # the legal floor for network logs
    assert retention.due_before(AUDIT, TODAY) == "2026-06"
    settings.AUDIT_RETENTION_MONTHS = 36
    assert retention.due_before(AUDIT, TODAY) == "2023-12"
    settings.AUDIT_RETENTION_MONTHS = 0
    assert retention.archive_due(TODAY) == []


def test_the_command_archives_and_dry_runs(logs, archive_dir):
    out = StringIO()
    call_command("archive", "--table", "audit", "--before", "2023-12", "--dry-run", stdout=out)
    assert "audit 2023-10: 3 rows would be archived" in out.getvalue()
    assert not (archive_dir / "audit" / "2023-10.jsonl.gz").exists()
    assert AuditLog.objects.count() == 6
    out = StringIO()
    call_command("archive", "--table", "audit", "--before", "2023-11", stdout=out)
    assert "audit 2023-10: 3 rows archived (2023-10.jsonl.gz), 3 deleted" in out.getvalue()
    assert AuditLog.objects.count() == 3
    out = StringIO()
    call_command("archive", "--list", stdout=out)
    assert "audit\tcore.AuditLog.at\t36 months" in out.getvalue()
    assert "patrol.checkins" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--table", "nope", "--before", "2020-01"], "unknown table 'nope'"),
        (["--table", "audit", "--before", "2024-13"], "YYYY-MM"),
        (["--table", "audit", "--before", "24-01"], "YYYY-MM"),
        (["--table", "audit", "--before", ""], "give --table and --before"),
        (["--table", "audit", "--before", "2026-07"], "latest allowed is 2026-06"),
        (["--table", "patrol.checkins", "--before", "2026-10"], "latest allowed is 2026-09"),
        ([], "give --table and --before"),
    ],
)
def test_bad_command_input_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("archive", *args, stdout=StringIO())


def test_operational_rows_are_pruned_by_age(settings, django_user_model):
    settings.NOTIFICATION_RETENTION_DAYS = 180
    settings.OUTBOX_RETENTION_DAYS = 30
    settings.QUEUED_TASK_RETENTION_DAYS = 14
    user = django_user_model.objects.create(username="u")
    old, new = NOW - timedelta(days=200), NOW - timedelta(days=5)
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=NOW - timedelta(1))
    Session.objects.create(session_key="b" * 32, session_data="", expire_date=NOW + timedelta(1))
    n_old = Notification.objects.create(recipient=user, title="t", created_at=old)
    n_new = Notification.objects.create(recipient=user, title="t", created_at=new)
    OutboxMessage.objects.create(channel="sms", status=OutboxStatus.SENT, created_at=old)
    pending = OutboxMessage.objects.create(channel="sms", created_at=old)  # still to send
    OutboxMessage.objects.create(channel="sms", status=OutboxStatus.FAILED, created_at=new)
    QueuedTask.objects.create(task="x", status=TaskStatus.SENT, created_at=old)
    QueuedTask.objects.create(task="x", status=TaskStatus.PENDING, created_at=old)
    assert n_old.pk
    assert retention.prune_operational() == {
        "sessions": 1,
        "notifications": 1,
        "outbox": 1,
        "queued_tasks": 1,
    }
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
    assert list(Notification.objects.all()) == [n_new]
    assert OutboxMessage.objects.filter(pk=pending.pk).exists()
    assert OutboxMessage.objects.count() == 2
    assert QueuedTask.objects.get().status == TaskStatus.PENDING
    assert retention.prune_operational() == dict.fromkeys(
        ["sessions", "notifications", "outbox", "queued_tasks"], 0
    )


def test_the_daily_job_is_registered_and_runs():
    from huey.contrib.djhuey import HUEY

    from wanjia.core import periodic, tasks

    assert "wanjia.core.tasks.retention_daily" in {
        periodic.task_key(t) for t in HUEY._registry.periodic_tasks
    }
    assert tasks.retention_daily.call_local() == {
        "pruned": dict.fromkeys(["sessions", "notifications", "outbox", "queued_tasks"], 0),
        "archived": [],
    }


def test_a_month_restores_until_the_next_nightly_run(logs, archive_dir, django_user_model):
    old, _kept = logs
    gone = django_user_model.objects.create(username="gone")
    with_actor = AuditLog.objects.create(at=at(2023, 10, 3), action="a", actor=gone)
    month = [o.pk for o in old[:3]] + [with_actor.pk]
    before = _snapshot(AuditLog.objects.filter(pk__in=month))
    retention.archive_due(TODAY)
    gone.delete()  # the user left since: their entries come back without the link
    out = StringIO()
    call_command("archive", "--table", "audit", "--restore", "2023-10", stdout=out)
    assert "audit 2023-10: 4 rows restored" in out.getvalue()
    assert _snapshot(AuditLog.objects.filter(pk__in=month)) == before
    assert AuditLog.objects.get(pk=with_actor.pk).actor_id is None
    assert retention.restore_month("audit", "2023-10") == 0  # already there
    done = retention.archive_due(TODAY)
    assert [(r.period, r.archived, r.deleted) for r in done] == [("2023-10", 0, 4)]
    assert not list((archive_dir / "audit").glob("*.p2.*"))  # nothing archived twice
    assert not AuditLog.objects.filter(pk__in=month).exists()
    with pytest.raises(CommandError, match="no archive of 'audit' for 2023-09"):
        call_command("archive", "--table", "audit", "--restore", "2023-09", stdout=StringIO())
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("archive", "--table", "audit", "--restore", "May", stdout=StringIO())


def test_the_audit_page_says_which_months_are_archived(client, django_user_model, settings):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    page = client.get("/console/audit/").content.decode()
    assert "2023-12 之前的记录已按保留期限移入归档文件" in page
    settings.AUDIT_RETENTION_MONTHS = 0
    assert "归档" not in client.get("/console/audit/").content.decode()
