"""Growth and retention: how the tables that grow with every day of a city's
life stay bounded (docs/deploy.md, "Growth and retention").

Two policies:

1. **Archive, then delete** (tables with lasting value: the audit log, patrol
   check-ins). A table registers here (``register``) with the datetime column
   that dates a row and its retention in months. Every month older than the
   retention is written to ``ARCHIVE_DIR/<table>/<YYYY-MM>.jsonl.gz`` (Django's
   ``jsonl`` serialization, gzip) and recorded in ``<YYYY-MM>.manifest.json``
   (rows, SHA-256 of the file, first and last id) — and only then deleted, in
   batches, exactly the ids the file holds. ``manage.py loaddata`` reads the file
   back (restoring a month for an audit request).

   Safe to re-run and to kill at any point:
   - killed while writing: the file is a ``.part`` (or a file no manifest lists)
     and is written again from the database, which still has every row;
   - killed after the manifest, before or during the delete: the next run finds
     the month's rows, checks the file against its checksum and deletes the ids
     it holds (nothing archived twice, nothing lost);
   - rows dated in an archived month that arrive later (a phone's offline queue)
     go to a further part of the same month (``<YYYY-MM>.p2.jsonl.gz``);
   - a file whose checksum does not match stops the run before anything is
     deleted.

   Why not PostgreSQL partitions (the other answer for an append-only log): one
   mechanism that works, and is tested, on SQLite and PostgreSQL alike and for
   every registered table; converting a live ``core_auditlog`` of tens of
   millions of rows into a partitioned table rewrites it in one migration; the
   primary key must then include the partition key, which Django models only as
   a composite primary key (``.get(pk=)``, the admin, foreign keys change); and a
   partition past retention would still have to be exported before it is
   dropped. Deleting a month is slower than dropping a partition but runs at
   night in batches of ``BATCH`` rows (a month of a city's audit log, about
   2–4 million rows, in minutes); autovacuum reclaims the space.

2. **Prune** operational rows with no lasting value (``prune_operational``):
   expired sessions, old inbox notifications, finished outbox messages, handed
   over queue rows. Failed logins, Idempotency-Keys and periodic claims already
   have their own daily prunes (``core.tasks``), not repeated here.

The supervision rollups are not affected: the regulator's pages read the
``Rollup`` rows, never the event tables, and the daily rollup job recomputes
only the current month (and the previous one during a month's first three
days). ``MINIMUM_MONTHS`` keeps any month that job may recompute out of reach.

Both run daily from ``core.tasks.retention_daily``; ``manage.py archive`` is the
operator's hand on the same code."""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

BATCH = 5000
# The rollup job recomputes this month and, in a month's first days, the one
# before; three months leave a margin. The audit log keeps at least six
# months whatever the setting (网络安全法 第二十一条: network logs kept no less
# than six months).
MINIMUM_MONTHS = 3
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\Z")


class ArchiveError(Exception):
    """Bad input or an archive that does not match its manifest."""


@dataclass(frozen=True)
class Table:
    key: str  # "audit", "patrol.checkins": the folder under ARCHIVE_DIR
    model_label: str  # "core.AuditLog"
    field: str  # the datetime column that dates a row
    months: Callable[[], int]  # retention in months; 0 keeps every row
    minimum: int = MINIMUM_MONTHS
    note: str = ""
    # narrows a month to the rows that may leave the database: rows that other
    # records still need (a visit with its escalation) stay, dated as they are
    only: Callable | None = None

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def retention(self) -> int:
        months = int(self.months())
        return 0 if months <= 0 else max(months, self.minimum)


_TABLES: dict[str, Table] = {}


def register(
    key: str,
    model_label: str,
    *,
    field: str,
    months: Callable[[], int],
    minimum: int = MINIMUM_MONTHS,
    note: str = "",
    only: Callable | None = None,
) -> None:
    """A module puts one of its tables under the archive policy (from its
    ``AppConfig.ready()``; the kernel imports no app). ``only(queryset)``
    narrows a month to the rows that may be archived; the others stay in the
    database for good (the archive never holds half of a case)."""
    if not re.fullmatch(r"[a-z][a-z0-9_.]*", key):
        raise ValueError(f"bad archive key {key!r}")
    _TABLES[key] = Table(key, model_label, field, months, max(minimum, MINIMUM_MONTHS), note, only)


def tables() -> list[Table]:
    return [_TABLES[k] for k in sorted(_TABLES)]


def table(key: str) -> Table:
    try:
        return _TABLES[key]
    except KeyError:
        known = ", ".join(sorted(_TABLES)) or "none"
        raise ArchiveError(f"unknown table {key!r}; registered: {known}") from None


register(
    "audit",
    "core.AuditLog",
    field="at",
    months=lambda: settings.AUDIT_RETENTION_MONTHS,
    minimum=6,
    note="WANJIA_AUDIT_RETENTION_MONTHS",
)


# -- months ------------------------------------------------------------------


def parse_period(raw) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    match = PERIOD_RE.match(text)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ArchiveError(f"a month is written YYYY-MM, e.g. 2024-01 (got {raw!r})")
    return text


def current_period(today: date | None = None) -> str:
    return f"{today or timezone.localdate():%Y-%m}"


def add_months(period: str, n: int) -> str:
    year, month = int(period[:4]), int(period[5:])
    index = year * 12 + month - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_bounds(period: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, local time."""
    year, month = int(period[:4]), int(period[5:])
    start = timezone.make_aware(datetime(year, month, 1))
    nxt = add_months(period, 1)
    return start, timezone.make_aware(datetime(int(nxt[:4]), int(nxt[5:]), 1))


def due_before(t: Table, today: date | None = None) -> str | None:
    """The first month ``t`` keeps (every month before it is archived), or
    None when the table is kept forever."""
    months = t.retention()
    return add_months(current_period(today), -months) if months else None


def check_before(t: Table, before: str, today: date | None = None) -> str:
    """``before`` if it leaves the table's minimum in place, else ArchiveError."""
    before = parse_period(before)
    latest = add_months(current_period(today), -t.minimum)
    if before > latest:
        raise ArchiveError(
            f"--before {before} would archive months {t.key!r} must keep "
            f"(at least {t.minimum} months: the latest allowed is {latest})"
        )
    return before


# -- files -------------------------------------------------------------------


def folder(t: Table) -> Path:
    return Path(settings.ARCHIVE_DIR) / t.key


def manifest_path(t: Table, period: str) -> Path:
    return folder(t) / f"{period}.manifest.json"


def part_name(period: str, n: int) -> str:
    return f"{period}.jsonl.gz" if n == 1 else f"{period}.p{n}.jsonl.gz"


def read_manifest(t: Table, period: str) -> dict:
    path = manifest_path(t, period)
    if not path.exists():
        return {
            "table": t.key,
            "model": t.model_label,
            "field": t.field,
            "period": period,
            "parts": [],
        }
    return json.loads(path.read_text())


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _open_part(t: Table, part: dict):
    """One listed part, opened for reading after checking its checksum."""
    path = folder(t) / part["file"]
    if not path.exists():
        raise ArchiveError(f"{path} is listed in its manifest but missing")
    if sha256_of(path) != part["sha256"]:
        raise ArchiveError(f"{path} does not match its manifest's SHA-256: nothing deleted")
    return gzip.open(path, "rt", encoding="utf-8")


def read_part(t: Table, part: dict) -> Iterator[dict]:
    """The records of one listed part, after checking its checksum."""
    with _open_part(t, part) as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def verify_part(t: Table, part: dict) -> None:
    """The part's checksum and row count match its manifest entry, or ArchiveError."""
    with _open_part(t, part) as fh:
        rows = sum(1 for line in fh if line.strip())
    if rows != part["rows"]:
        raise ArchiveError(f"{part['file']} holds {rows} rows, its manifest says {part['rows']}")


def _delete_archived(t: Table, parts: list[dict]) -> int:
    """Delete the rows these parts hold (each part verified first), streaming
    the ids ``BATCH`` at a time: a month of millions of rows never sits in memory."""
    deleted = 0
    for part in parts:
        verify_part(t, part)
        ids = []
        for record in read_part(t, part):
            ids.append(record["pk"])
            if len(ids) >= BATCH:
                deleted += _delete_ids(t, ids)
                ids = []
        if ids:
            deleted += _delete_ids(t, ids)
    return deleted


# -- the work ----------------------------------------------------------------


@dataclass
class MonthResult:
    table: str
    period: str
    rows: int = 0  # the month's rows counted (dry run) or gone from the database
    archived: int = 0  # written to a new part this run
    deleted: int = 0
    parts: list[str] = field(default_factory=list)  # files written this run


def _month_rows(t: Table, period: str):
    start, end = month_bounds(period)
    return _archivable(t).filter(**{f"{t.field}__gte": start, f"{t.field}__lt": end})


def _archivable(t: Table):
    qs = t.model._base_manager.all()
    return t.only(qs) if t.only else qs


def months_with_rows(t: Table, before: str) -> list[str]:
    """The months before ``before`` that still have rows, oldest first."""
    first, _ = month_bounds(before)
    qs = _archivable(t).filter(**{f"{t.field}__lt": first})
    oldest = qs.order_by(t.field).values_list(t.field, flat=True).first()
    if oldest is None:
        return []
    period = f"{timezone.localtime(oldest):%Y-%m}"
    out = []
    while period < before:
        if _month_rows(t, period).exists():
            out.append(period)
        period = add_months(period, 1)
    return out


def _delete_ids(t: Table, ids: list) -> int:
    """Delete these ids in batches (Django's collector: a foreign key that
    points at a row is set null or cascades as the model says). The audit
    log's own manager refuses deletes; the base manager is the retention's
    one way in. A row that other records came to need since it was written
    (``only``) stays: the archive then holds a copy, which a restore skips."""
    deleted = 0
    for i in range(0, len(ids), BATCH):
        with transaction.atomic():
            _, per_model = _archivable(t).filter(pk__in=ids[i : i + BATCH]).delete()
        deleted += per_model.get(t.model._meta.label, 0)
    return deleted


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but datetimes keep their microseconds (Django's cuts
    them to milliseconds): an archived row reads back exactly as it was."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _lines(t: Table, rows) -> Iterator[str]:
    """Rows from ``values_list("pk", *attnames)`` as the lines of Django's
    ``jsonl`` serialization ({"model", "pk", "fields"}), which ``loaddata``
    reads back; built from plain values (no model instances: 5× faster)."""
    model = t.model
    label = model._meta.label_lower
    fields = _archived_fields(model)
    for row in rows:
        record = {
            "model": label,
            "pk": row[0],
            "fields": {f.name: v for f, v in zip(fields, row[1:], strict=True)},
        }
        yield json.dumps(record, cls=_Encoder, ensure_ascii=False) + "\n"


def _archived_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _write_part(t: Table, period: str, n: int) -> dict | None:
    """Write the month's rows still in the database to part ``n``; its
    manifest entry, or None when there were none."""
    name = part_name(period, n)
    path = folder(t) / name
    tmp = path.with_name(name + ".part")
    attnames = [f.attname for f in _archived_fields(t.model)]
    qs = _month_rows(t, period).order_by("pk").values_list("pk", *attnames)
    rows, first_id, last_id, last = 0, None, None, None
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as fh:
        while True:
            batch = list((qs if last is None else qs.filter(pk__gt=last))[:BATCH])
            if not batch:
                break
            fh.writelines(_lines(t, batch))
            rows += len(batch)
            first_id = batch[0][0] if first_id is None else first_id
            last = last_id = batch[-1][0]
    if not rows:
        tmp.unlink()
        return None
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return {
        "file": name,
        "rows": rows,
        "sha256": sha256_of(path),
        "first_id": first_id,
        "last_id": last_id,
        "written_at": timezone.now().isoformat(),
    }


def archive_month(t: Table, period: str, *, dry_run: bool = False) -> MonthResult:
    """Archive then delete ``period``'s rows of ``t`` (see the module's doc)."""
    result = MonthResult(t.key, period)
    if dry_run:  # a count walks the month: only when asked for
        result.rows = _month_rows(t, period).count()
        return result
    if not _month_rows(t, period).exists():
        return result
    folder(t).mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(t, period)
    # 1. a run killed after its manifest: finish its delete first
    if manifest["parts"]:
        result.deleted += _delete_archived(t, manifest["parts"])
    # 2. what is left of the month (all of it the first time) to a new part
    entry = _write_part(t, period, len(manifest["parts"]) + 1)
    if entry is None:
        result.rows = result.deleted
        return result
    manifest["parts"].append(entry)
    manifest["rows"] = sum(p["rows"] for p in manifest["parts"])
    # the manifest names the file only once the file is whole and on disk
    _write_atomic(manifest_path(t, period), json.dumps(manifest, indent=1, sort_keys=True))
    result.archived, result.parts = entry["rows"], [entry["file"]]
    # 3. read the file back (checksum, count) and delete exactly its ids
    result.deleted += _delete_archived(t, [entry])
    result.rows = result.deleted
    return result


@contextmanager
def locked(t: Table):
    """One archiver per table at a time (the daily job and an operator)."""
    folder(t).mkdir(parents=True, exist_ok=True)
    with open(folder(t) / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ArchiveError(f"another archive run of {t.key!r} is under way") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def archive_table(
    key: str, before: str, *, dry_run: bool = False, today: date | None = None
) -> list[MonthResult]:
    """Archive every month of table ``key`` before ``before`` ("YYYY-MM")."""
    t = table(key)
    before = check_before(t, before, today)
    months = months_with_rows(t, before)
    if dry_run:
        return [archive_month(t, p, dry_run=True) for p in months]
    with locked(t):
        return [archive_month(t, p) for p in months]


def archive_due(today: date | None = None) -> list[MonthResult]:
    """The daily job: every registered table's months past its retention."""
    done = []
    for t in tables():
        before = due_before(t, today)
        if before is None:
            continue
        try:
            done.extend(r for r in archive_table(t.key, before, today=today) if r.rows)
        except ArchiveError:
            log.exception("archiving %s stopped", t.key)
    for r in done:
        log.info("archived %s %s: %s rows, %s deleted", r.table, r.period, r.archived, r.deleted)
    return done


def restore_month(key: str, period: str) -> int:
    """Put an archived month's rows back (an audit request); how many were
    inserted (rows still present are skipped). A nullable link to a record
    deleted since is restored empty, as deleting that record would have left
    it; a required one refuses the restore (restore into a copy of the site
    from a backup of that time instead). The rows stay until the next nightly
    run, which deletes them again without writing anything twice."""
    t = table(key)
    period = parse_period(period)
    manifest = read_manifest(t, period)
    if not manifest["parts"]:
        raise ArchiveError(f"no archive of {t.key!r} for {period} in {folder(t)}")
    restored = 0
    for part in manifest["parts"]:
        verify_part(t, part)
        batch: list[dict] = []
        for record in read_part(t, part):
            batch.append(record)
            if len(batch) >= BATCH:
                restored += _restore(t, batch)
                batch = []
        if batch:
            restored += _restore(t, batch)
    return restored


def _restore(t: Table, records: list[dict]) -> int:
    model = t.model
    for f in _archived_fields(model):
        if not (f.is_relation and f.many_to_one):
            continue
        wanted = {r["fields"][f.name] for r in records} - {None}
        have = set(f.related_model._base_manager.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = wanted - have
        if missing and not f.null:
            raise ArchiveError(
                f"rows of {t.key!r} refer to {f.name} {sorted(missing)[:5]} deleted since: "
                "restore into a copy of the site from a backup of that time"
            )
        for r in records:
            if r["fields"][f.name] in missing:
                r["fields"][f.name] = None
    present = set(
        model._base_manager.filter(pk__in=[r["pk"] for r in records]).values_list("pk", flat=True)
    )
    fresh = [r for r in records if r["pk"] not in present]
    objects = [d.object for d in serializers.deserialize("python", fresh)]
    with transaction.atomic():
        model._base_manager.bulk_create(objects, batch_size=1000)
    return len(objects)


# -- operational rows: pruned, not archived ----------------------------------


def _prune(qs, batch: int = BATCH) -> int:
    """Delete ``qs`` ``batch`` rows at a time (short transactions)."""
    deleted = 0
    while True:
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        with transaction.atomic():
            _, per_model = qs.model._base_manager.filter(pk__in=ids).delete()
        n = per_model.get(qs.model._meta.label, 0)
        if not n:
            return deleted  # nothing went (a concurrent prune): do not spin
        deleted += n


def prune_operational(now: datetime | None = None) -> dict[str, int]:
    """Expired sessions; inbox notifications past
    ``NOTIFICATION_RETENTION_DAYS``; outbox messages done with (sent, failed,
    channel off) past ``OUTBOX_RETENTION_DAYS``; queue rows handed to the queue
    past ``QUEUED_TASK_RETENTION_DAYS``. 0 days keeps a kind forever."""
    from django.contrib.sessions.models import Session

    from .models import Notification, OutboxMessage, OutboxStatus, QueuedTask, TaskStatus

    now = now or timezone.now()

    def ago(days: int):
        return now - timedelta(days=days) if days > 0 else None

    out = {"sessions": _prune(Session.objects.filter(expire_date__lt=now))}
    if (cut := ago(settings.NOTIFICATION_RETENTION_DAYS)) is not None:
        out["notifications"] = _prune(Notification.objects.filter(created_at__lt=cut))
    if (cut := ago(settings.OUTBOX_RETENTION_DAYS)) is not None:
        out["outbox"] = _prune(
            OutboxMessage.objects.filter(created_at__lt=cut).exclude(status=OutboxStatus.PENDING)
        )
    if (cut := ago(settings.QUEUED_TASK_RETENTION_DAYS)) is not None:
        out["queued_tasks"] = _prune(
            QueuedTask.objects.filter(created_at__lt=cut, status=TaskStatus.SENT)
        )
    return out
