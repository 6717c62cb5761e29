"""Booking, changing and cancelling, with the waitlist that promotes the next
household. Capacity moves only by conditional UPDATEs on the slot row (see
the package's docstring)."""

import uuid
from contextlib import nullcontext
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit, insert_from
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.idempotency import Once
from wanjia.core.models import Membership
from wanjia.core.notify import notify
from wanjia.core.roles import Role

from ..access import can_serve, may_book_for, own_household_ids
from ..models import LIVE, Booking, Kind, Slot, Status, Suspension
from .fairuse import Suspended, active_suspension

PRINT_MAX_BYTES = 10 * 1024 * 1024


PRINT_TYPES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def _closed_message(slot) -> str:
    return _("已过截止时间（%(t)s），不能再预约、改约或取消。") % {
        "t": timezone.localtime(slot.closes_at).strftime("%m-%d %H:%M")
    }


def _print_file(upload) -> tuple[ContentFile, str]:
    """The upload as stored: a PDF, JPEG or PNG (by its first bytes, not its
    name) of at most 10 MB, under a random name."""
    if upload is None:
        raise Invalid({"file": _("请选择要打印的文件（PDF 或图片）。")})
    if getattr(upload, "size", 0) > PRINT_MAX_BYTES:
        raise Invalid({"file": _("文件不能超过 10 MB。")})
    head = upload.read(8)
    ext = next((e for magic, e in PRINT_TYPES.items() if head.startswith(magic)), None)
    if ext is None:
        raise Invalid({"file": _("只能打印 PDF、JPG 或 PNG 文件。")})
    upload.seek(0)
    data = upload.read(PRINT_MAX_BYTES + 1)
    if len(data) > PRINT_MAX_BYTES:
        raise Invalid({"file": _("文件不能超过 10 MB。")})
    name = (getattr(upload, "name", "") or f"file.{ext}").replace("/", "_")[-120:]
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{ext}"), name


def _take(slot) -> bool:
    return bool(
        Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    )


def _give_back(slot) -> None:
    Slot.objects.filter(pk=slot.pk, booked__gt=0).update(booked=F("booked") - 1)


def booking_create(
    *,
    actor,
    slot,
    household,
    note: str = "",
    upload=None,
    copies: int = 1,
    waitlist: bool = True,
    now: datetime | None = None,
) -> Booking:
    """Book ``slot`` for ``household``: booked while places are left, else
    waitlisted (when the service keeps a waitlist), else a 409. A staff
    member books for a household without a phone (代约, audited as such)."""
    now = now or timezone.now()
    how = _vetted(actor, slot, household, note, now)
    service = slot.service
    suspension = active_suspension(household, now)
    if suspension is not None:
        raise Suspended(suspension)
    stored = name = None
    if service.kind == Kind.PRINT:
        if not isinstance(copies, int) or not 1 <= copies <= 20:
            raise Invalid({"copies": _("份数应为 1 到 20。")})
        stored, name = _print_file(upload)
    # The booking row and its audit entry first, the place last: the slot's
    # row is locked from the conditional UPDATE to the commit, so the less
    # that happens after it, the more households book per second.
    with transaction.atomic():
        try:
            booking = Booking.objects.create(
                slot=slot,
                service=service,
                compound_id=slot.compound_id,
                household=household,
                user=actor,
                on_behalf=how == "behalf",
                status=Status.BOOKED,
                note=(note or "").strip(),
                copies=copies if service.kind == Kind.PRINT else 1,
                created_at=now,
            )
        except IntegrityError:
            raise Conflict(_("本户已预约此时段，无需重复预约。"), field="slot") from None
        if stored is not None:
            booking.file.save(stored.name, stored, save=False)
            booking.file_name = name
            Booking.objects.filter(pk=booking.pk).update(file=booking.file.name, file_name=name)
        audit(
            actor=actor,
            action="conveniences.booking.on_behalf"
            if how == "behalf"
            else "conveniences.booking.created",
            obj=booking,
            compound=slot.compound,
            detail={"slot": slot.pk, "household": household.pk},
        )
        if not _take(slot):
            if not (service.waitlist and waitlist):
                raise Conflict(_("该时段已约满，请选择其他时段。"), field="slot")
            Booking.objects.filter(pk=booking.pk).update(status=Status.WAITLISTED)
            booking.status = Status.WAITLISTED
    return booking


def _vetted(actor, slot, household, note, now) -> str:
    """What refuses a booking before anything is written, but a suspension;
    how the actor books ("self" or "behalf")."""
    how = may_book_for(actor, household)
    if not how:
        raise Forbidden
    if slot.compound_id != household.compound_id:
        raise Invalid({"slot": _("该时段不属于本户所在小区的服务。")})
    if not slot.service.active:
        raise Conflict(_("该服务已暂停预约。"), field="slot")
    if now >= slot.closes_at:
        raise Conflict(_closed_message(slot), field="slot")
    if len(note or "") > 200:
        raise Invalid({"note": _("备注最多 200 字。")})
    return how


def booking_create_once(
    *, actor, slot, household, once: Once, note: str = "", now: datetime | None = None
) -> tuple[int, dict, bool]:
    """:func:`booking_create` behind the caller's Idempotency-Key (``once``):
    ``(status, body, replayed)``, body ``{"id", "status"}``. On PostgreSQL a
    booking without a file is one statement (:func:`_book_in_one`)."""
    now = now or timezone.now()
    if connection.vendor != "postgresql" or slot.service.kind == Kind.PRINT:

        def run():
            b = booking_create(actor=actor, slot=slot, household=household, note=note, now=now)
            return 201, {"id": b.pk, "status": b.status}

        return once.run(run)
    how = _vetted(actor, slot, household, note, now)
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            found = _book_in_one(
                actor=actor, slot=slot, household=household, how=how, once=once, note=note, now=now
            )
    except IntegrityError:
        # the household's live booking of this slot: a concurrent retry of
        # this very request (its key is kept now) or another booking
        if (kept := once.kept()) is not None:
            return kept
        raise Conflict(_("本户已预约此时段，无需重复预约。"), field="slot") from None
    if found is not None:
        return 201, {"id": found[0], "status": found[1]}, False
    # nothing written: a retry, a suspension, or a full slot without a waitlist
    if (kept := once.kept()) is not None:
        return kept
    suspension = active_suspension(household, now)
    if suspension is not None:
        raise Suspended(suspension)
    raise Conflict(_("该时段已约满，请选择其他时段。"), field="slot")


def _book_in_one(*, actor, slot, household, how, once, note, now) -> tuple | None:
    """What :func:`booking_create` and the key's claim and answer write, as
    one PostgreSQL statement: the place (when one is left), the booking
    (booked, or waitlisted when the service keeps a waitlist), its audit
    entry and the key with its answer. Every part is conditional on the key
    being unused and the household not suspended, so a retry or a suspended
    household writes nothing (and the caller finds out which).

    50 households racing for one slot queue on its row from the place's
    UPDATE to the commit; as one statement in autocommit that is the
    statement itself, where the transaction held it across four more round
    trips (bench/bench_bookings.py). ``(id, status)`` of the new booking, or
    None."""
    ops, quote = connection.ops, connection.ops.quote_name
    unused, unused_params = once.unused_sql()
    free = (
        f"NOT EXISTS (SELECT 1 FROM {quote(Suspension._meta.db_table)} WHERE household_id = %s"  # noqa: S608
        " AND lifted_at IS NULL AND ends_at > %s)"
    )
    free_params = [household.pk, ops.adapt_datetimefield_value(now)]
    audit_sql, audit_params = insert_from(
        "b",
        "b.id",
        actor=actor,
        action="conveniences.booking.on_behalf"
        if how == "behalf"
        else "conveniences.booking.created",
        object_type="booking",
        compound=slot.compound,
        detail={"slot": slot.pk, "household": household.pk},
    )
    key_sql, key_params = once.insert_from(
        "b", 201, "jsonb_build_object('id', b.id, 'status', b.status)"
    )
    statement = (
        f"WITH t AS (UPDATE {quote(Slot._meta.db_table)} SET booked = booked + 1"  # noqa: S608
        f" WHERE id = %s AND booked < capacity AND {unused} AND {free} RETURNING id),"
        f" b AS (INSERT INTO {quote(Booking._meta.db_table)} (slot_id, service_id, compound_id,"
        " household_id, user_id, on_behalf, status, note, file, file_name, copies, created_at)"
        " SELECT %s, %s, %s, %s, %s, %s, CASE WHEN EXISTS (SELECT 1 FROM t) THEN %s ELSE %s END,"
        " %s, '', '', 1, %s"
        f" WHERE (EXISTS (SELECT 1 FROM t) OR %s) AND {unused} AND {free} RETURNING id, status),"
        f" a AS ({audit_sql}), k AS ({key_sql})"
        " SELECT id, status FROM b"
    )
    params = [
        slot.pk,
        *unused_params,
        *free_params,
        slot.pk,
        slot.service_id,
        slot.compound_id,
        household.pk,
        actor.pk,
        how == "behalf",
        Status.BOOKED.value,
        Status.WAITLISTED.value,
        (note or "").strip(),
        ops.adapt_datetimefield_value(now),
        bool(slot.service.waitlist),
        *unused_params,
        *free_params,
        *audit_params,
        *key_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()


def household_users(household_id: int) -> list:
    return [
        m.user
        for m in Membership.objects.filter(
            household_id=household_id, role=Role.RESIDENT
        ).select_related("user")
    ]


def _recipients(booking) -> list:
    users = household_users(booking.household_id)
    if booking.user_id and not booking.on_behalf:
        users = [booking.user, *users]
    return users


def _when(slot) -> str:
    return timezone.localtime(slot.starts_at).strftime("%m-%d %H:%M")


def _promote(slot, now) -> Booking | None:
    """Give a freed place to the first household on the waitlist (and tell
    it). Each step is conditional: the place is taken first, then the
    booking moves from waitlisted to booked; if another hand moved it, the
    place is given back and the next one is tried."""
    if slot.starts_at <= now:
        return None
    for nxt in Booking.objects.filter(slot=slot, status=Status.WAITLISTED).order_by("id")[:20]:
        if not _take(slot):
            return None
        moved = Booking.objects.filter(pk=nxt.pk, status=Status.WAITLISTED).update(
            status=Status.BOOKED, promoted_at=now
        )
        if not moved:
            _give_back(slot)
            continue
        service = slot.service
        when = _when(slot)
        notify(
            recipients=_recipients(nxt),
            title=lambda name=service.name: _("候补成功：%(s)s") % {"s": name},
            body=lambda name=service.name, when=when: (
                _("有人取消了预约，您已从候补转为正式预约：%(s)s，%(t)s。不能前往请在截止前取消。")
                % {"s": name, "t": when}
            ),
            link=reverse("conv_h5_home"),
            kind="conveniences.promoted",
        )
        audit(actor=None, action="conveniences.booking.promoted", obj=nxt, compound=slot.compound)
        return nxt
    return None


def _may_handle(actor, booking) -> bool:
    return booking.household_id in own_household_ids(actor) or can_serve(actor, booking.compound)


def booking_cancel(*, actor, booking, now: datetime | None = None) -> Booking:
    """Cancel a booking or leave the waitlist: the household before the
    cut-off, staff at any time before the slot ends. A freed place goes to the
    waitlist's first household."""
    now = now or timezone.now()
    if not _may_handle(actor, booking):
        raise Forbidden
    staff = can_serve(actor, booking.compound)
    slot = booking.slot
    if booking.status not in LIVE:
        raise Conflict(_("该预约已结束或已取消。"))
    if now >= slot.closes_at and not (staff and now < slot.ends_at):
        raise Conflict(_closed_message(slot))
    with transaction.atomic():
        was = booking.status
        done = Booking.objects.filter(pk=booking.pk, status=was).update(
            status=Status.CANCELLED, cancelled_at=now
        )
        if not done:
            raise Conflict(_("该预约已结束或已取消。"))
        if was == Status.BOOKED:
            _give_back(slot)
            _promote(slot, now)
        audit(
            actor=actor,
            action="conveniences.booking.cancelled",
            obj=booking,
            compound=booking.compound,
            detail={"was": was, "by_staff": staff and not _own(actor, booking)},
        )
    booking.status, booking.cancelled_at = Status.CANCELLED, now
    return booking


def _own(actor, booking) -> bool:
    return booking.household_id in own_household_ids(actor)


def booking_change(*, actor, booking, slot, now: datetime | None = None) -> Booking:
    """Move a booking to another slot of the same service with a place left,
    before both cut-offs: the new place is taken first, then the old one
    given back (to the waitlist). Returns the new booking."""
    now = now or timezone.now()
    if not _may_handle(actor, booking):
        raise Forbidden
    if booking.status != Status.BOOKED:
        raise Conflict(_("只有已预约（非候补）的预约可以改约。"))
    if slot.service_id != booking.service_id or slot.pk == booking.slot_id:
        raise Invalid({"slot": _("请选择同一服务的另一个时段。")})
    if now >= booking.slot.closes_at:
        raise Conflict(_closed_message(booking.slot))
    with transaction.atomic():
        new = booking_create(
            actor=actor,
            slot=slot,
            household=booking.household,
            note=booking.note,
            waitlist=False,
            now=now,
        )
        booking_cancel(actor=actor, booking=booking, now=now)
    return new
