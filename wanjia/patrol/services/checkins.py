"""The guard's check-in: a signed QR token, one record per idempotency key,
integrity flags that inform and never block.

The QR carries ``signing.dumps({"c": checkpoint, "k": compound}, salt=...)``:
changing either id breaks the signature, so a sheet cannot be forged from a
guessable id. A refused scan (forged, another compound's, a retired
checkpoint's) is answered 422 with a message and recorded in the audit log
(outside any transaction the refusal would roll back)."""

import math
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from wanjia.core.audit import audit, insert_from
from wanjia.core.errors import Forbidden, Invalid
from wanjia.core.models import Compound

from ..access import can_patrol, patrols_anywhere
from ..models import CheckIn, Checkpoint, Flag, RunStatus, RunStop
from .photos import photo_file

CHECKIN_SALT = "wanjia.patrol.checkpoint"
# A stop takes a check-in from this long before its due time to this long after.
EARLY = timedelta(minutes=45)
LATE = timedelta(minutes=75)
MAX_SPEED = 8.0  # m/s: a guard on foot or a bicycle
CLOCK_SKEW = timedelta(minutes=5)
SHARED_DEVICE = timedelta(minutes=10)


def qr_token(checkpoint: Checkpoint) -> str:
    return signing.dumps({"c": checkpoint.pk, "k": checkpoint.compound_id}, salt=CHECKIN_SALT)


def qr_url(checkpoint: Checkpoint, request=None) -> str:
    return scan_url(qr_token(checkpoint), request)


def scan_url(token: str, request=None) -> str:
    """The URL a QR code holds: the site's (SITE_URL, else the request's host)
    check-in page with the token."""
    path = reverse("patrol_scan") + "?t=" + token
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path) if request is not None else path


def _refuse(actor, reason: str, message: str, checkpoint=None) -> Invalid:
    audit(
        actor=actor,
        action="patrol.checkin.refused",
        obj=checkpoint,
        compound=checkpoint.compound if checkpoint is not None else None,
        detail={"reason": reason},
    )
    return Invalid({"token": message})


def checkpoint_from_token(actor, token: str) -> Checkpoint:
    """The checkpoint a scanned token names, for ``actor`` to check in at; a
    refusal (recorded) otherwise."""
    return _vetted(actor, _checkpoint(*_signed_ids(actor, token)))


def _signed_ids(actor, token: str) -> tuple[int, int]:
    """(checkpoint, compound) from a token's signature, or the refusal."""
    try:
        data = signing.loads(token or "", salt=CHECKIN_SALT)
        return int(data["c"]), int(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _refuse(actor, "forged", _("二维码无效：不是本系统打印的巡更点二维码。")) from None


def _vetted(actor, checkpoint: Checkpoint | None) -> Checkpoint:
    if checkpoint is None:
        raise _refuse(actor, "unknown", _("二维码无效：巡更点不存在。"))
    if not can_patrol(actor, checkpoint.compound):
        raise _refuse(
            actor, "other_compound", _("这个巡更点不属于您值守的小区，签到未记录。"), checkpoint
        )
    if checkpoint.retired_at is not None or not checkpoint.active:
        raise _refuse(actor, "retired", _("这个巡更点已停用，请使用新的二维码。"), checkpoint)
    return checkpoint


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def _where(checkin_lat, checkin_lng, checkpoint):
    if checkin_lat is not None and checkin_lng is not None:
        return checkin_lat, checkin_lng
    if checkpoint.lat is not None and checkpoint.lng is not None:
        return checkpoint.lat, checkpoint.lng
    return None


def flags_for(
    *, actor, checkpoint, scanned_at, received_at, sent_at, lat, lng, device_id, stop, around=None
) -> list[str]:
    """The integrity flags of a scan; ``around``: what :func:`_scans_around`
    would read, when the caller read it already."""
    flags = []
    if lat is not None and lng is not None and checkpoint.lat is not None:
        if distance_m(lat, lng, checkpoint.lat, checkpoint.lng) > checkpoint.radius_m:
            flags.append(Flag.OUTSIDE_RADIUS)
    here = _where(lat, lng, checkpoint)
    previous, shared = around or _scans_around(actor.pk, checkpoint.pk, scanned_at, device_id)
    if previous is not None and here is not None:
        at, there = previous
        if there is not None:
            seconds = max((scanned_at - at).total_seconds(), 1.0)
            metres = distance_m(*there, *here)
            if metres > 50 and metres / seconds > MAX_SPEED:
                flags.append(Flag.IMPOSSIBLE_SPEED)
    # the phone's clock: against its own "sent at" when it queued the scan
    # offline (a late arrival is then no sign of a wrong clock), else the scan time
    reference = sent_at or scanned_at
    if abs(received_at - reference) > CLOCK_SKEW or scanned_at - received_at > CLOCK_SKEW:
        flags.append(Flag.CLOCK_OFF)
    if stop is None:
        flags.append(Flag.NO_RUN)
    elif stop.strict_order and (
        RunStop.objects.filter(run=stop.run_id, order__lt=stop.order, checkin__isnull=True)
        .exclude(pk=stop.pk)
        .exists()
    ):
        flags.append(Flag.OUT_OF_ORDER)
    if shared:
        flags.append(Flag.SHARED_DEVICE)
    return [str(f) for f in flags]


# --- the hot path's statements ---------------------------------------------------------
# A departure from the ORM, on purpose: every guard's every scan runs these, and
# building each queryset (compiling its SQL) cost more than the database did
# (bench/bench_checkin.py). They are plain SQL that SQLite and PostgreSQL both
# take, with datetimes adapted as the ORM would store them; the tables are
# named as Django names them (``<app>_<model>``).


def _sql(statement: str, params: list) -> list[tuple]:
    """Rows of a SELECT; ``[(rowcount,)]`` of an UPDATE."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else [(cursor.rowcount,)]


def _db_time(moment: datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _aware(value) -> datetime:
    """A datetime read by plain SQL: SQLite gives text or naive UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


_KEY = "SELECT id FROM patrol_checkin WHERE user_id = %s AND key = %s"
_CHECKPOINT = (
    "SELECT p.id, p.compound_id, p.name, p.lat, p.lng, p.radius_m, p.active,"
    " p.retired_at, c.name AS c_name, c.community_id, c.company_id FROM patrol_checkpoint p"
    " JOIN estates_compound c ON c.id = p.compound_id"
    " WHERE p.id = %s AND p.compound_id = %s"
)
_CHECKPOINT_COLUMNS = (
    "v.id, v.compound_id, v.name, v.lat, v.lng, v.radius_m, v.active, v.retired_at,"
    " v.c_name, v.community_id, v.company_id"
)
_CHECKPOINT_WIDTH = 11


def _checkpoint(checkpoint_id: int, compound_id: int, key_of: tuple[int, str] | None = None):
    """The checkpoint with its compound (the fields a scan reads; the rest load
    when touched), or None. With ``key_of`` (user, idempotency key), in the
    same statement: ``(id of that user's check-in with that key or None,
    checkpoint or None)``."""
    user_id, key = key_of or (None, None)
    rows = _sql(
        f"SELECT k.id, {_CHECKPOINT_COLUMNS} FROM (SELECT 1 AS one) o"  # noqa: S608 (ours)
        f" LEFT JOIN ({_KEY}) k ON 1 = 1 LEFT JOIN ({_CHECKPOINT}) v ON 1 = 1",
        [user_id, key, checkpoint_id, compound_id],
    )
    used, *row = rows[0]
    checkpoint = _checkpoint_from(row)
    return (used, checkpoint) if key_of is not None else checkpoint


def _checkpoint_from(row) -> Checkpoint | None:
    if row[0] is None:
        return None
    pk, compound_pk, name, lat, lng, radius, active, retired, c_name, community, company = row
    checkpoint = Checkpoint.from_db(
        connection.alias,
        ["id", "compound_id", "name", "lat", "lng", "radius_m", "active", "retired_at"],
        [pk, compound_pk, name, lat, lng, radius, bool(active), retired and _aware(retired)],
    )
    checkpoint.compound = Compound.from_db(
        connection.alias,
        ["id", "name", "community_id", "company_id"],
        [compound_pk, c_name, community, company],
    )
    return checkpoint


def _key_used(user_id: int, key: str) -> int | None:
    rows = _sql("SELECT id FROM patrol_checkin WHERE user_id = %s AND key = %s", [user_id, key])
    return rows[0][0] if rows else None


# the reads of a scan, as pieces that one statement joins (:func:`_scan_reads`)
_PREVIOUS = (
    "SELECT c.scanned_at, c.lat, c.lng, p.lat AS cp_lat, p.lng AS cp_lng"
    " FROM patrol_checkin c JOIN patrol_checkpoint p ON p.id = c.checkpoint_id"
    " WHERE c.user_id = %s AND c.scanned_at <= %s AND c.checkpoint_id <> %s"
    " ORDER BY c.scanned_at DESC, c.id DESC LIMIT 1"
)
_SHARED = (
    "(SELECT 1 FROM patrol_checkin d WHERE d.device_id = %s AND d.scanned_at >= %s"
    " AND d.scanned_at <= %s AND d.user_id <> %s LIMIT 1)"
)
_STOP = (
    'SELECT s.id, s.run_id, s.checkpoint_id, s."order", s.due_at, r.strict_order'
    " FROM patrol_runstop s JOIN patrol_run n ON n.id = s.run_id"
    " JOIN patrol_route r ON r.id = n.route_id"
    " WHERE s.checkpoint_id = %s AND s.checkin_id IS NULL"
    ' AND s.due_at >= %s AND s.due_at <= %s ORDER BY s.due_at, s."order" LIMIT 1'
)


def _previous_params(user_id: int, checkpoint_id: int, scanned_at) -> list:
    return [user_id, _db_time(scanned_at), checkpoint_id]


def _shared_params(user_id: int, scanned_at, device_id: str) -> list:
    return [
        device_id or None,  # no phone named: no phone shared
        _db_time(scanned_at - SHARED_DEVICE),
        _db_time(scanned_at + SHARED_DEVICE),
        user_id,
    ]


def _stop_params(checkpoint_id: int, scanned_at) -> list:
    return [checkpoint_id, _db_time(scanned_at - LATE), _db_time(scanned_at + EARLY)]


def _scans_around(user_id: int, checkpoint_id: int, scanned_at, device_id: str):
    """``(previous, shared)`` in one statement: the user's last scan elsewhere
    up to this one as (when, (lat, lng) or None), or None; and whether another
    user scanned from this phone within ``SHARED_DEVICE``."""
    rows = _sql(
        f"SELECT v.scanned_at, v.lat, v.lng, v.cp_lat, v.cp_lng, {_SHARED}"  # noqa: S608 (ours)
        f" FROM (SELECT 1 AS one) o LEFT JOIN ({_PREVIOUS}) v ON 1 = 1",
        [
            *_shared_params(user_id, scanned_at, device_id),
            *_previous_params(user_id, checkpoint_id, scanned_at),
        ],
    )
    return _around_from(*rows[0])


def _around_from(at, lat, lng, cp_lat, cp_lng, shared):
    if at is None:
        return None, bool(shared)
    if lat is not None and lng is not None:
        return (_aware(at), (lat, lng)), bool(shared)
    where = (cp_lat, cp_lng) if cp_lat is not None and cp_lng is not None else None
    return (_aware(at), where), bool(shared)


def _candidate_stop(checkpoint, scanned_at) -> RunStop | None:
    """The earliest open stop at ``checkpoint`` due within the window around
    ``scanned_at``, with its route's ``strict_order`` set on it."""
    rows = _sql(_STOP, _stop_params(checkpoint.pk, scanned_at))
    return _stop_from(*rows[0]) if rows else None


def _stop_from(pk, run_id, checkpoint_id, order_no, due_at, strict) -> RunStop | None:
    if pk is None:
        return None
    stop = RunStop.from_db(
        connection.alias,
        ["id", "run_id", "checkpoint_id", "order", "due_at"],
        [pk, run_id, checkpoint_id, order_no, _aware(due_at)],
    )
    stop.strict_order = bool(strict)
    return stop


def _scan_reads(ids: tuple[int, int], *, user_id: int, key: str, scanned_at, device_id: str):
    """What a scan reads before it writes, in one statement:
    ``(id of the user's check-in with this key or None, the checkpoint or
    None, the candidate stop or None, (previous, shared) for the flags)``.
    Three statements before (bench/bench_checkin.py); the stop and the
    neighbours are read for the token's checkpoint even when it is then
    refused, which costs nothing."""
    checkpoint_id, _compound_id = ids
    rows = _sql(
        f"SELECT k.id, {_CHECKPOINT_COLUMNS}, st.id, st.run_id, st.checkpoint_id,"  # noqa: S608 (ours)
        ' st."order", st.due_at, st.strict_order, pv.scanned_at, pv.lat, pv.lng, pv.cp_lat,'
        f" pv.cp_lng, {_SHARED} FROM (SELECT 1 AS one) o"
        f" LEFT JOIN ({_KEY}) k ON 1 = 1 LEFT JOIN ({_CHECKPOINT}) v ON 1 = 1"
        f" LEFT JOIN ({_STOP}) st ON 1 = 1 LEFT JOIN ({_PREVIOUS}) pv ON 1 = 1",
        [
            *_shared_params(user_id, scanned_at, device_id),
            user_id,
            key,
            *ids,
            *_stop_params(checkpoint_id, scanned_at),
            *_previous_params(user_id, checkpoint_id, scanned_at),
        ],
    )
    row = rows[0]
    width = 1 + _CHECKPOINT_WIDTH
    return (
        row[0],
        _checkpoint_from(row[1:width]),
        _stop_from(*row[width : width + 6]),
        _around_from(*row[width + 6 :]),
    )


def status_of(checkin: CheckIn) -> str:
    """on_time / late / early / unscheduled, from the stop it counted for."""
    stop = checkin.run_stop
    if stop is None:
        return "unscheduled"
    if checkin.scanned_at > stop.due_at + timedelta(minutes=15):
        return "late"
    if checkin.scanned_at < stop.due_at - timedelta(minutes=15):
        return "early"
    return "on_time"


def checkin(
    *,
    actor,
    token: str,
    key: str,
    scanned_at: datetime | None = None,
    sent_at: datetime | None = None,
    lat: float | None = None,
    lng: float | None = None,
    note: str = "",
    device_id: str = "",
    photo=None,
) -> tuple[CheckIn, bool]:
    """Record one scan; ``(checkin, replayed)``. The same ``key`` again (a
    retry after a dropped connection, a queued scan sent twice) returns the
    first record and writes nothing."""
    if not patrols_anywhere(actor):
        raise Forbidden
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise Invalid({"key": _("缺少本次签到的唯一编号。")})
    try:
        ids = _signed_ids(actor, token)
    except Invalid:
        if (found := _key_used(actor.pk, key)) is not None:
            return CheckIn.objects.get(pk=found), True  # a replay stands whatever it carries
        raise
    received_at = timezone.now()
    scanned_at = scanned_at or received_at
    plausible = abs(scanned_at - received_at) <= timedelta(days=2)
    if plausible:
        # the stop is chosen before any write: its claim is conditional, so a
        # check-in that took it meanwhile leaves this one unscheduled
        found, checkpoint, stop, around = _scan_reads(
            ids, user_id=actor.pk, key=key, scanned_at=scanned_at, device_id=device_id
        )
    else:  # refused below, unless the key says it is a replay
        found, checkpoint = _checkpoint(*ids, key_of=(actor.pk, key))
    if found is not None:
        return CheckIn.objects.get(pk=found), True
    checkpoint = _vetted(actor, checkpoint)
    if (lat is None) != (lng is None) or (
        lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)
    ):
        raise Invalid({"lat": _("位置信息无效。")})
    image = photo_file(photo) if photo else None
    if not plausible:
        raise Invalid({"scanned_at": _("扫码时间与现在相差超过两天，请检查手机时间。")})
    flags = flags_for(
        actor=actor,
        checkpoint=checkpoint,
        scanned_at=scanned_at,
        received_at=received_at,
        sent_at=sent_at,
        lat=lat,
        lng=lng,
        device_id=device_id,
        stop=stop,
        around=around,
    )
    if image is None and connection.vendor == "postgresql":
        return _record_in_one(
            actor=actor,
            checkpoint=checkpoint,
            key=key,
            stop=stop,
            flags=flags,
            scanned_at=scanned_at,
            received_at=received_at,
            lat=lat,
            lng=lng,
            note=note,
            device_id=device_id,
        )
    try:
        with transaction.atomic():
            # written as counting for the stop, then the stop is claimed: one
            # write fewer on the common path than claiming and then pointing
            # the record at it (see bench/bench_checkin.py)
            record = CheckIn.objects.create(
                checkpoint=checkpoint,
                compound_id=checkpoint.compound_id,
                run_id=stop.run_id if stop is not None else None,
                run_stop=stop,
                user=actor,
                key=key,
                device_id=(device_id or "")[:64],
                scanned_at=scanned_at,
                received_at=received_at,
                lat=lat,
                lng=lng,
                note=(note or "")[:300],
                flags=flags,
            )
            if image is not None:
                record.photo.save(f"{record.pk}.jpg", image, save=True)
            audit(
                actor=actor,
                action="patrol.checkin.recorded",
                obj=record,
                compound=checkpoint.compound,
                detail={"checkpoint": checkpoint.pk, "flags": record.flags},
            )
            # last, so that the run's row (locked by _advance, shared by the
            # round's guards) is held only until the commit
            if stop is not None:
                if _claim(stop, record):
                    _advance(stop.run_id)
                else:  # another check-in took the stop meanwhile
                    record.run_id = record.run_stop = None
                    record.flags = [*record.flags, str(Flag.NO_RUN)]
                    record.save(update_fields=["run", "run_stop", "flags"])
    except IntegrityError:
        # a concurrent retry with the same key committed first: its record stands
        return CheckIn.objects.get(user=actor, key=key), True
    return record, False


def _claim(stop: RunStop, record: CheckIn) -> bool:
    """The stop for this check-in unless another check-in took it meanwhile."""
    return bool(
        _sql(
            "UPDATE patrol_runstop SET checkin_id = %s WHERE id = %s AND checkin_id IS NULL",
            [record.pk, stop.pk],
        )[0][0]
    )


def _advance(run_id: int) -> None:
    """A run with every stop checked in is done; with some, in progress (one
    statement)."""
    _sql(
        "UPDATE patrol_run SET status = CASE"
        " WHEN NOT EXISTS (SELECT 1 FROM patrol_runstop u"
        " WHERE u.run_id = patrol_run.id AND u.checkin_id IS NULL) THEN %s"
        " WHEN EXISTS (SELECT 1 FROM patrol_runstop u"
        " WHERE u.run_id = patrol_run.id AND u.checkin_id IS NULL AND u.missed = %s) THEN %s"
        " ELSE %s END WHERE id = %s",
        [RunStatus.DONE.value, False, RunStatus.IN_PROGRESS.value, RunStatus.PARTIAL.value, run_id],
    )


def _record_in_one(
    *, actor, checkpoint, key, stop, flags, scanned_at, received_at, lat, lng, note, device_id
) -> tuple[CheckIn, bool]:
    """What the transaction in :func:`checkin` writes (the record, the stop's
    claim, the run's status, the audit entry), as one PostgreSQL statement
    (bench/bench_checkin.py: the five writes and BEGIN/COMMIT were round trips
    and ORM compiles that a guard's scan paid for on every checkpoint).

    The record's id is drawn first so the stop can be claimed in the same
    statement; a stop another check-in took meanwhile leaves the record
    unscheduled (``no_run``), as the transaction does. A concurrent retry with
    the same key fails the unique (user, key) and the whole statement with
    it: the first record stands."""
    unscheduled = flags if stop is None else [*flags, str(Flag.NO_RUN)]
    json_field = CheckIn._meta.get_field("flags")
    audit_sql, audit_params = insert_from(
        "c",
        "c.id",
        actor=actor,
        action="patrol.checkin.recorded",
        object_type="checkin",
        compound=checkpoint.compound,
        detail={"checkpoint": checkpoint.pk, "flags": flags},
    )
    statement = (
        "WITH n AS (SELECT nextval(pg_get_serial_sequence('patrol_checkin', 'id')) AS id),"  # noqa: S608
        " s AS (UPDATE patrol_runstop SET checkin_id = (SELECT id FROM n)"
        " WHERE id = %s AND checkin_id IS NULL RETURNING id, run_id),"
        " c AS (INSERT INTO patrol_checkin (id, checkpoint_id, compound_id, run_id, run_stop_id,"
        " user_id, key, device_id, scanned_at, received_at, lat, lng, note, photo, flags)"
        " SELECT n.id, %s, %s, (SELECT run_id FROM s), (SELECT id FROM s), %s, %s, %s, %s, %s,"
        " %s, %s, %s, '', CASE WHEN EXISTS (SELECT 1 FROM s) THEN %s ELSE %s END FROM n"
        " RETURNING id, run_id, run_stop_id),"
        # the run's stops as this statement leaves them (the snapshot still
        # shows the claimed stop open, so it is left out by id); the run's row
        # is written, and locked against the round's other guards, only when
        # its status changes: on the first and the last stop, not in between
        " t AS (SELECT s.run_id, CASE"
        " WHEN NOT EXISTS (SELECT 1 FROM patrol_runstop u WHERE u.run_id = s.run_id"
        " AND u.checkin_id IS NULL AND u.id <> s.id) THEN %s"
        " WHEN EXISTS (SELECT 1 FROM patrol_runstop u WHERE u.run_id = s.run_id"
        " AND u.checkin_id IS NULL AND u.id <> s.id AND u.missed = %s) THEN %s"
        " ELSE %s END AS status FROM s),"
        " r AS (UPDATE patrol_run SET status = t.status FROM t"
        " WHERE patrol_run.id = t.run_id AND patrol_run.status <> t.status),"
        f" a AS ({audit_sql})"
        " SELECT id, run_id, run_stop_id FROM c"
    )
    params = [
        stop.pk if stop is not None else None,
        checkpoint.pk,
        checkpoint.compound_id,
        actor.pk,
        key,
        (device_id or "")[:64],
        _db_time(scanned_at),
        _db_time(received_at),
        lat,
        lng,
        (note or "")[:300],
        json_field.get_db_prep_save(flags, connection),
        json_field.get_db_prep_save(unscheduled, connection),
        RunStatus.DONE.value,
        False,
        RunStatus.IN_PROGRESS.value,
        RunStatus.PARTIAL.value,
        *audit_params,
    ]
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            pk, run_id, stop_id = _sql(statement, params)[0]
    except IntegrityError:
        # a concurrent retry with the same key committed first: its record stands
        return CheckIn.objects.get(user=actor, key=key), True
    record = CheckIn(
        pk=pk,
        checkpoint=checkpoint,
        compound_id=checkpoint.compound_id,
        run_id=run_id,
        run_stop_id=stop_id,
        user=actor,
        key=key,
        device_id=(device_id or "")[:64],
        scanned_at=scanned_at,
        received_at=received_at,
        lat=lat,
        lng=lng,
        note=(note or "")[:300],
        flags=flags if stop_id is not None else unscheduled,
    )
    record._state.adding = False
    if stop_id is not None:
        record.run_stop = stop
    return record, False
