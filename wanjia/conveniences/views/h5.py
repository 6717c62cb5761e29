"""The resident's phone pages: the compound's services and my bookings (with
why and until when, if booking is suspended); a service's days and slots with
what is left, booked in one tap (a print job with its file); change or cancel
until the cut-off. A tap sends a key made when the page was drawn, so a
double tap books once."""

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Refusal
from wanjia.core.idempotency import IdempotencyKeyMissing, IdempotencyKeyReused, idempotent

from .. import access, selectors, services
from ..models import Kind, Status


def _resident(request):
    if not access.books_anywhere(request.user):
        raise PermissionDenied
    return selectors.own_households(request.user)


@login_required
def home(request):
    homes = list(_resident(request))
    now = timezone.now()
    compounds = {h.compound_id: h.compound for h in homes}
    offered = [(c, list(selectors.services_of(request.user, c))) for c in compounds.values()]
    bookings = list(selectors.household_bookings(homes, now=now))
    upcoming = [
        b
        for b in bookings
        if b.slot.ends_at > now and b.status in (Status.BOOKED, Status.WAITLISTED)
    ]
    past = [b for b in bookings if b not in upcoming][-10:]
    for b in upcoming:
        b.position = selectors.waitlist_position(b)
        b.open = b.slot.closes_at > now
    return render(
        request,
        "conveniences/h5_home.html",
        {
            "tab": "services",
            "offered": offered,
            "upcoming": upcoming,
            "past": past,
            "suspensions": list(selectors.suspensions_of_households(homes, now)),
        },
    )


def _day(raw, days) -> date:
    fallback = days[0] if days else timezone.localdate()
    try:
        day = date.fromisoformat(raw) if raw else fallback
    except ValueError:
        return fallback
    return day if selectors.plausible(day) else fallback


@login_required
def service(request, pk):
    homes = _resident(request)
    svc = selectors.get_or_404(selectors.services_visible_to(request.user), pk=pk)
    now = timezone.now()
    days = selectors.open_days(svc, now)
    day = _day(request.GET.get("date", ""), days)
    slots = list(selectors.slots_of_day(svc, day))
    mine = selectors.live_booking_of(homes, [s.pk for s in slots])
    change = None
    change_id = selectors.as_id(request.GET.get("change"))
    if change_id:
        change = selectors.booking_of(request.user, change_id)
    for s in slots:
        s.mine = mine.get(s.pk)
        s.open = s.closes_at > now
    return render(
        request,
        "conveniences/h5_service.html",
        {
            "tab": "services",
            "service": svc,
            "days": days,
            "day": day,
            "slots": slots,
            "change": change,
            "key": uuid.uuid4().hex,
            "is_print": svc.kind == Kind.PRINT,
            "suspensions": list(selectors.suspensions_of_households(homes, now)),
        },
    )


def _refuse(request, exc):
    if exc.status == 403 and not isinstance(exc, services.Suspended):
        raise PermissionDenied from None
    messages.error(request, exc.message)


@login_required
@require_POST
def book(request, pk):
    _resident(request)
    slot = selectors.get_or_404(selectors.slots_visible_to(request.user), pk=pk)
    household = selectors.own_household_in(request.user, slot.compound_id)
    if household is None:
        raise PermissionDenied
    copies = request.POST.get("copies", "1")
    payload = {"slot": slot.pk, "copies": copies, "h": household.pk}

    def run():
        b = services.booking_create(
            actor=request.user,
            slot=slot,
            household=household,
            note=request.POST.get("note", ""),
            upload=request.FILES.get("file"),
            copies=int(copies) if copies.isdigit() else 0,
        )
        return 201, {"id": b.pk, "status": b.status}

    try:
        _status, body, replayed = idempotent(
            user=request.user,
            scope="conveniences.booking.h5",
            key=request.POST.get("key") or uuid.uuid4().hex,
            payload=payload,
            run=run,
        )
    except Refusal as exc:
        _refuse(request, exc)
        return redirect(f"{_service_url(slot)}")
    except (IdempotencyKeyMissing, IdempotencyKeyReused) as exc:
        messages.error(request, exc.message)
        return redirect(_service_url(slot))
    if body["status"] == Status.WAITLISTED:
        messages.info(request, _("已满，已为您排队候补；有人取消时自动转为预约并通知您。"))
    else:
        messages.success(request, _("预约成功。"))
    return redirect("conv_h5_home")


def _service_url(slot) -> str:
    from django.urls import reverse

    day = timezone.localdate(slot.starts_at).isoformat()
    return f"{reverse('conv_h5_service', args=[slot.service_id])}?date={day}"


def _own_booking(request, pk):
    _resident(request)
    booking = selectors.get_or_404(selectors.bookings_visible_to(request.user), pk=pk)
    if not access.own_household_ids(request.user) & {booking.household_id}:
        raise PermissionDenied
    return booking


@login_required
@require_POST
def cancel(request, pk):
    booking = _own_booking(request, pk)
    try:
        services.booking_cancel(actor=request.user, booking=booking)
    except Refusal as exc:
        _refuse(request, exc)
    else:
        messages.success(request, _("已取消。"))
    return redirect("conv_h5_home")


@login_required
@require_POST
def change(request, pk):
    booking = _own_booking(request, pk)
    slot_id = selectors.as_id(request.POST.get("slot"))
    slot = selectors.slot_in(booking.compound, slot_id) if slot_id else None
    if slot is None:
        messages.error(request, _("请选择同一服务的另一个时段。"))
        return redirect("conv_h5_home")
    try:
        services.booking_change(actor=request.user, booking=booking, slot=slot)
    except Refusal as exc:
        _refuse(request, exc)
        return redirect(_service_url(slot) + f"&change={booking.pk}")
    messages.success(request, _("已改约。"))
    return redirect("conv_h5_home")
