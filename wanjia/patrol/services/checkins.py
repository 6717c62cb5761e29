"""The guard's check-in: a signed QR token, one record per idempotency key,
integrity flags that inform and never block.

The QR carries ``signing.dumps({"c": checkpoint, "k": compound}, salt=...)``:
changing either id breaks the signature, so a sheet cannot be forged from a
guessable id. A refused scan (forged, another compound's, a retired
checkpoint's) is answered 422 with a message and recorded in the audit log
(outside any transaction the refusal would roll back)."""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, OuterRef, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid

from ..access import can_patrol, patrols_anywhere
from ..models import CheckIn, Checkpoint, Flag, Run, RunStatus, RunStop
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
    try:
        data = signing.loads(token or "", salt=CHECKIN_SALT)
        cp_id, compound_id = int(data["c"]), int(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _refuse(actor, "forged", _("二维码无效：不是本系统打印的巡更点二维码。")) from None
    checkpoint = (
        Checkpoint.objects.select_related("compound")
        .filter(pk=cp_id, compound_id=compound_id)
        .first()
    )
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
    *, actor, checkpoint, scanned_at, received_at, sent_at, lat, lng, device_id, stop
) -> list[str]:
    flags = []
    if lat is not None and lng is not None and checkpoint.lat is not None:
        if distance_m(lat, lng, checkpoint.lat, checkpoint.lng) > checkpoint.radius_m:
            flags.append(Flag.OUTSIDE_RADIUS)
    here = _where(lat, lng, checkpoint)
    previous = (
        CheckIn.objects.filter(user=actor, scanned_at__lte=scanned_at)
        .exclude(checkpoint=checkpoint)
        .select_related("checkpoint")
        .order_by("-scanned_at", "-id")
        .first()
    )
    if previous is not None and here is not None:
        there = _where(previous.lat, previous.lng, previous.checkpoint)
        if there is not None:
            seconds = max((scanned_at - previous.scanned_at).total_seconds(), 1.0)
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
    elif stop.run.route.strict_order and (
        RunStop.objects.filter(run=stop.run_id, order__lt=stop.order, checkin__isnull=True)
        .exclude(pk=stop.pk)
        .exists()
    ):
        flags.append(Flag.OUT_OF_ORDER)
    if device_id and (
        CheckIn.objects.filter(
            device_id=device_id,
            scanned_at__gte=scanned_at - SHARED_DEVICE,
            scanned_at__lte=scanned_at + SHARED_DEVICE,
        )
        .exclude(user=actor)
        .exists()
    ):
        flags.append(Flag.SHARED_DEVICE)
    return [str(f) for f in flags]


def _candidate_stops(checkpoint, scanned_at):
    return (
        RunStop.objects.filter(
            checkpoint=checkpoint,
            checkin__isnull=True,
            due_at__gte=scanned_at - LATE,
            due_at__lte=scanned_at + EARLY,
        )
        .select_related("run__route")
        .order_by("due_at", "order")
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
    found = CheckIn.objects.filter(user=actor, key=key).first()
    if found is not None:
        return found, True
    checkpoint = checkpoint_from_token(actor, token)
    if (lat is None) != (lng is None) or (
        lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)
    ):
        raise Invalid({"lat": _("位置信息无效。")})
    image = photo_file(photo) if photo else None
    received_at = timezone.now()
    scanned_at = scanned_at or received_at
    if abs(scanned_at - received_at) > timedelta(days=2):
        raise Invalid({"scanned_at": _("扫码时间与现在相差超过两天，请检查手机时间。")})
    try:
        with transaction.atomic():
            stop = _candidate_stops(checkpoint, scanned_at).first()
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
            )
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
            if stop is not None:
                if _claim(stop, record):
                    _advance(stop.run_id)
                else:  # another check-in took the stop meanwhile
                    record.run_id = record.run_stop = None
                    record.flags = [*record.flags, str(Flag.NO_RUN)]
                    record.save(update_fields=["run", "run_stop", "flags"])
            audit(
                actor=actor,
                action="patrol.checkin.recorded",
                obj=record,
                compound=checkpoint.compound,
                detail={"checkpoint": checkpoint.pk, "flags": record.flags},
            )
    except IntegrityError:
        # a concurrent retry with the same key committed first: its record stands
        return CheckIn.objects.get(user=actor, key=key), True
    return record, False


def _claim(stop: RunStop, record: CheckIn) -> bool:
    """The stop for this check-in unless another check-in took it meanwhile."""
    return bool(RunStop.objects.filter(pk=stop.pk, checkin__isnull=True).update(checkin=record))


def _advance(run_id: int) -> None:
    """A run with every stop checked in is done; with some, in progress (one
    statement)."""
    open_ = RunStop.objects.filter(run=OuterRef("pk"), checkin__isnull=True)
    Run.objects.filter(pk=run_id).update(
        status=Case(
            When(~Exists(open_), then=Value(RunStatus.DONE)),
            When(Exists(open_.filter(missed=False)), then=Value(RunStatus.IN_PROGRESS)),
            default=Value(RunStatus.PARTIAL),
        )
    )
