"""After the slot: attended or no-show (three no-shows suspend the household),
a print job handed over, and a manager lifting a suspension."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.notify import notify
from wanjia.estates.models import Household

from ..access import can_manage, can_serve
from ..models import Booking, Kind, Status, Suspension
from .bookings import _recipients, household_users
from .fairuse import MONTHS, NO_SHOWS_TO_SUSPEND, active_suspension, add_months


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
