"""Every write of convenience services (keyword-only, ``actor=``, audited).

Capacity only moves by conditional UPDATEs on the slot row:
``booked = booked + 1 WHERE booked < capacity`` to take a place and
``booked = booked - 1 WHERE booked > 0`` to give one back, in the same
transaction as the booking row. Two households racing for the last seat both
run the UPDATE; the database serialises them on the row and the second finds
``booked = capacity`` and takes nothing (it is waitlisted or refused). A
household racing with itself (a double tap, a retry) is stopped by the partial
unique index on live bookings: the second insert fails and its UPDATE rolls
back with it.

Fair use: three no-shows within three months suspend the household's booking
for three months; cancelling before the cut-off is not a no-show."""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Membership
from wanjia.core.notify import notify
from wanjia.core.roles import Role
from wanjia.estates.models import Household

from .access import can_manage, can_serve, may_book_for, own_household_ids
from .models import LIVE, Booking, Kind, Service, Slot, Status, Suspension

NO_SHOWS_TO_SUSPEND = 3
MONTHS = 3
PRINT_MAX_BYTES = 10 * 1024 * 1024
PRINT_TYPES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
MAX_SLOTS_PER_RUN = 500


class Suspended(Forbidden):
    """Booking refused: the household is suspended until ``until`` (a date)."""

    def __init__(self, suspension):
        self.until = timezone.localdate(suspension.ends_at)
        self.suspension = suspension
        super().__init__(
            _("因近三个月内 %(n)s 次预约未到，本户暂停预约至 %(date)s。")
            % {
                "n": len(suspension.no_shows) or NO_SHOWS_TO_SUSPEND,
                "date": self.until.isoformat(),
            },
            field="household",
        )


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day when the
    day does not exist then: 30 Nov + 3 months is 28/29 Feb)."""
    local = timezone.localtime(moment)
    month0 = local.month - 1 + months
    year, month = local.year + month0 // 12, month0 % 12 + 1
    for day in (local.day, 30, 29, 28):
        try:
            return local.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def active_suspension(household, now=None) -> Suspension | None:
    now = now or timezone.now()
    return (
        Suspension.objects.filter(household=household, lifted_at__isnull=True, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )


# ---- setup ------------------------------------------------------------------------------


def _clean_service(fields: dict) -> dict:
    errors = {}
    name = (fields.get("name") or "").strip()
    if not name or len(name) > 60:
        errors["name"] = _("请填写名称（最多 60 字）。")
    if fields.get("kind") not in Kind.values:
        errors["kind"] = _("请选择服务类型。")
    try:
        price = Decimal(str(fields.get("price") or "0").strip() or "0")
        if price < 0 or price > Decimal("99999") or price != price.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["price"] = _("价格应为 0 到 99999 之间的金额，最多两位小数（0 为免费）。")
        price = Decimal(0)
    ints = {
        "slot_minutes": (5, 240, _("每个时段应为 5 到 240 分钟。")),
        "quota": (1, 1000, _("每户每期数量应为 1 到 1000。")),
        "cutoff_minutes": (0, 7 * 24 * 60, _("截止提前应为 0 到 10080 分钟。")),
    }
    out = {"name": name, "kind": fields.get("kind"), "price": price}
    for key, (lo, hi, message) in ints.items():
        raw = fields.get(key)
        if raw in (None, ""):
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not lo <= value <= hi:
            errors[key] = message
        else:
            out[key] = value
    limits = {
        "description": 300,
        "place": 100,
        "unit": 10,
        "station": 60,
        "pickup_gate": 60,
        "resources": 1000,
    }
    for key, limit in limits.items():
        value = str(fields.get(key) or "").strip()
        if len(value) > limit:
            errors[key] = _("最多 %(n)s 个字符。") % {"n": limit}
        out[key] = value
    if any(len(r.strip()) > 40 for r in out["resources"].splitlines()):
        errors["resources"] = _("每行最多 40 个字符。")
    if out["kind"] == Kind.TRIP and not out["station"]:
        errors["station"] = _("班车请填写目的站。")
    if "waitlist" in fields:
        out["waitlist"] = bool(fields["waitlist"])
    if errors:
        raise Invalid(errors)
    return out


@transaction.atomic
def service_create(*, actor, compound, **fields) -> Service:
    if not can_manage(actor, compound):
        raise Forbidden
    service = Service.objects.create(compound=compound, **_clean_service(fields))
    audit(actor=actor, action="conveniences.service.created", obj=service, compound=compound)
    return service


@transaction.atomic
def service_update(*, actor, service, **fields) -> Service:
    if not can_manage(actor, service.compound):
        raise Forbidden
    clean = _clean_service({"kind": service.kind, **fields})
    clean.pop("kind")
    for key, value in clean.items():
        setattr(service, key, value)
    if "active" in fields:
        service.active = bool(fields["active"])
    service.save()
    audit(actor=actor, action="conveniences.service.updated", obj=service)
    return service


def _at(day: date, t: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, t))


def _plan(service, day, start, end, capacity, days) -> list[Slot]:
    """The slots one run makes, unsaved."""
    cut = timedelta(minutes=service.cutoff_minutes)
    rows = []

    def slot(starts, ends, closes, resource=""):
        rows.append(
            Slot(
                service=service,
                compound_id=service.compound_id,
                starts_at=starts,
                ends_at=ends,
                closes_at=closes,
                resource=resource,
                capacity=capacity,
            )
        )

    if service.kind == Kind.QUOTA:
        starts = _at(day, time(0))
        ends = _at(day + timedelta(days=days), time(0))
        slot(starts, ends, ends)
        return rows
    if service.kind == Kind.PRINT:
        starts, ends = _at(day, start), _at(day, end)
        slot(starts, ends, ends - cut)
        return rows
    if service.kind == Kind.TRIP:
        starts = _at(day, start)
        ends = starts + timedelta(minutes=service.slot_minutes)
        slot(starts, ends, starts - cut)
        return rows
    step = timedelta(minutes=service.slot_minutes)
    first, last = _at(day, start), _at(day, end)
    for resource in service.resource_list or [""]:
        at = first
        while at + step <= last:
            slot(at, at + step, at - cut, resource)
            at += step
    return rows


def slots_generate(
    *,
    actor,
    service,
    day: date,
    start: time | None = None,
    end: time | None = None,
    capacity: int = 1,
    days: int = 7,
) -> int:
    """Make a day's slots (each resource every ``slot_minutes`` from ``start``
    to ``end``), a trip's departure at ``start``, a print day from ``start`` to
    ``end``, or a quota period of ``days`` from ``day``. Slots that exist are
    kept as they are: running it twice makes nothing twice. Returns how many
    were made."""
    if not can_manage(actor, service.compound):
        raise Forbidden
    errors = {}
    if not isinstance(capacity, int) or not 1 <= capacity <= 10000:
        errors["capacity"] = _("名额应为 1 到 10000。")
    if not date(2000, 1, 1) <= day <= date(2999, 12, 1):
        errors["day"] = _("请填写有效的日期。")
    needs_start = service.kind != Kind.QUOTA
    needs_end = service.kind in (Kind.SLOT, Kind.CUSTOM, Kind.PRINT)
    if needs_start and start is None:
        errors["start"] = _("请填写开始时间。")
    if needs_end and (end is None or (start is not None and end <= start)):
        errors["end"] = _("结束时间应晚于开始时间。")
    if service.kind == Kind.QUOTA and not 1 <= days <= 31:
        errors["days"] = _("领取期应为 1 到 31 天。")
    if errors:
        raise Invalid(errors)
    rows = _plan(service, day, start, end, capacity, days)
    if len(rows) > MAX_SLOTS_PER_RUN:
        raise Invalid({"end": _("一次最多生成 %(n)s 个时段。") % {"n": MAX_SLOTS_PER_RUN}})
    with transaction.atomic():
        before = Slot.objects.filter(service=service).count()
        Slot.objects.bulk_create(rows, ignore_conflicts=True)
        made = Slot.objects.filter(service=service).count() - before
        audit(
            actor=actor,
            action="conveniences.slots.generated",
            obj=service,
            detail={"day": day.isoformat(), "made": made},
        )
    return made


# ---- bookings ---------------------------------------------------------------------------


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
    how = may_book_for(actor, household)
    if not how:
        raise Forbidden
    service = slot.service
    if slot.compound_id != household.compound_id:
        raise Invalid({"slot": _("该时段不属于本户所在小区的服务。")})
    if not service.active:
        raise Conflict(_("该服务已暂停预约。"), field="slot")
    if now >= slot.closes_at:
        raise Conflict(_closed_message(slot), field="slot")
    suspension = active_suspension(household, now)
    if suspension is not None:
        raise Suspended(suspension)
    if len(note or "") > 200:
        raise Invalid({"note": _("备注最多 200 字。")})
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


def booking_mark(*, actor, booking, outcome: str, now: datetime | None = None) -> Booking:
    """Staff mark a booking attended (or, for a print job, handed over) or a
    no-show. A no-show counts only once the slot has started; the third
    within three months suspends the household's booking for three months."""
    now = now or timezone.now()
    if not can_serve(actor, booking.compound):
        raise Forbidden
    if outcome not in (Status.ATTENDED, Status.NO_SHOW):
        raise Invalid({"outcome": _("请选择到场或爽约。")})
    if booking.status != Status.BOOKED:
        raise Conflict(_("该预约已登记或已取消。"))
    if outcome == Status.NO_SHOW and now < booking.slot.starts_at:
        raise Conflict(_("时段开始后才能登记爽约。"), field="outcome")
    with transaction.atomic():
        done = Booking.objects.filter(pk=booking.pk, status=Status.BOOKED).update(
            status=outcome, marked_at=now, marked_by=actor
        )
        if not done:
            raise Conflict(_("该预约已登记或已取消。"))
        audit(actor=actor, action=f"conveniences.booking.{outcome}", obj=booking)
        booking.status = outcome
        if outcome == Status.NO_SHOW:
            _maybe_suspend(booking, now)
    return booking


def _maybe_suspend(booking, now) -> Suspension | None:
    since = add_months(now, -MONTHS)
    misses = list(
        Booking.objects.filter(
            household_id=booking.household_id,
            status=Status.NO_SHOW,
            slot__starts_at__gte=since,
        )
        .order_by("slot__starts_at")
        .values_list("pk", flat=True)
    )
    if len(misses) < NO_SHOWS_TO_SUSPEND:
        return None
    # one suspension at a time: the household's row is locked while we look
    Household.objects.select_for_update().filter(pk=booking.household_id).first()
    if active_suspension(booking.household, now) is not None:
        return None
    ends = add_months(now, MONTHS)
    suspension = Suspension.objects.create(
        compound_id=booking.compound_id,
        household_id=booking.household_id,
        starts_at=now,
        ends_at=ends,
        reason=str(gettext_lazy("近三个月内 3 次预约未到（爽约）")),
        no_shows=misses,
    )
    until = timezone.localdate(ends)
    notify(
        recipients=household_users(booking.household_id),
        title=lambda: _("便民服务预约已暂停"),
        body=lambda: (
            _("因近三个月内 3 次预约未到，本户暂停预约至 %(d)s。如有特殊情况请联系物业。")
            % {"d": date_format(until, "DATE_FORMAT")}
        ),
        link=reverse("conv_h5_home"),
        kind="conveniences.suspended",
    )
    audit(actor=None, action="conveniences.suspension.started", obj=suspension)
    return suspension


def booking_printed(*, actor, booking, now: datetime | None = None) -> Booking:
    """A print job is printed (then handed over through ``booking_mark``)."""
    now = now or timezone.now()
    if not can_serve(actor, booking.compound):
        raise Forbidden
    if booking.service.kind != Kind.PRINT:
        raise Conflict(_("这不是打印任务。"))
    with transaction.atomic():
        done = Booking.objects.filter(
            pk=booking.pk, status=Status.BOOKED, printed_at__isnull=True
        ).update(printed_at=now, marked_by=actor)
        if not done:
            raise Conflict(_("该打印任务已打印或已结束。"))
        audit(actor=actor, action="conveniences.print.printed", obj=booking)
        notify(
            recipients=_recipients(booking),
            title=lambda: _("打印完成，可到物业服务中心领取"),
            body=booking.file_name,
            link=reverse("conv_h5_home"),
            kind="conveniences.printed",
        )
    booking.printed_at = now
    return booking


def suspension_lift(*, actor, suspension, reason: str, now: datetime | None = None) -> Suspension:
    now = now or timezone.now()
    if not can_manage(actor, suspension.compound):
        raise Forbidden
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise Invalid({"reason": _("请填写解除原因（最多 300 字）。")})
    with transaction.atomic():
        done = Suspension.objects.filter(
            pk=suspension.pk, lifted_at__isnull=True, ends_at__gt=now
        ).update(lifted_at=now, lifted_by=actor, lift_reason=reason)
        if not done:
            raise Conflict(_("该暂停已结束或已解除。"))
        audit(
            actor=actor,
            action="conveniences.suspension.lifted",
            obj=suspension,
            detail={"reason": reason},
        )
        notify(
            recipients=household_users(suspension.household_id),
            title=lambda: _("便民服务预约已恢复"),
            link=reverse("conv_h5_home"),
            kind="conveniences.lifted",
        )
    suspension.lifted_at, suspension.lift_reason = now, reason
    return suspension
