"""Console pages: the compound's services (set up by managers, with the
slots, trips and handout periods they generate), the day's roster with one
tap for attended or no-show (Excel and an A4 list), booking for a resident
without a phone (代约), the print queue and the suspensions (lifted by a
manager with a reason)."""

from datetime import date, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core import sheets
from wanjia.core.audit import audit
from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import gate

from .. import access, exports, selectors, services
from ..models import Kind, Status


def _compound(request, compound_id, allowed=access.can_serve):
    user = request.user
    return gate(
        user,
        selectors.compounds_seen(user),
        compound_id,
        compound="id",
        allowed=lambda c: allowed(user, c),
    )


def _day(request) -> date:
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()
    return day if selectors.plausible(day) else timezone.localdate()


def _refused(request, exc):
    if exc.status == 403 and not isinstance(exc, services.Suspended):
        raise PermissionDenied from None
    messages.error(request, exc.message)


@login_required
def home(request):
    compounds = list(selectors.compounds_for(request.user))
    if not compounds:
        raise PermissionDenied
    if len(compounds) == 1:
        return day(request, compounds[0].pk)
    return render(request, "conveniences/home.html", {"compounds": compounds})


SERVICE_FIELDS = (
    "name",
    "kind",
    "price",
    "description",
    "place",
    "resources",
    "slot_minutes",
    "quota",
    "unit",
    "station",
    "pickup_gate",
    "cutoff_minutes",
)


@login_required
def compound(request, compound_id):
    c = _compound(request, compound_id)
    manage = access.can_manage(request.user, c)
    errors, form = {}, {}
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        form = request.POST
        try:
            fields = {k: request.POST.get(k, "") for k in SERVICE_FIELDS}
            fields["waitlist"] = request.POST.get("waitlist") == "on"
            svc = services.service_create(actor=request.user, compound=c, **fields)
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            errors = errors_of(exc)
        else:
            messages.success(request, _("已新建服务，请生成时段。"))
            return redirect("conv_service", svc.pk)
    return render(
        request,
        "conveniences/compound.html",
        {
            "compound": c,
            "services": list(selectors.services_of(request.user, c, active_only=False)),
            "manage": manage,
            "kinds": Kind.choices,
            "errors": errors,
            "form": form,
            "tab": "services",
        },
        status=422 if errors else 200,
    )


def _time(raw) -> time | None:
    try:
        return time.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@login_required
def service(request, pk):
    user = request.user
    svc = gate(
        user,
        selectors.services_visible_to(user),
        pk,
        compound="compound_id",
        allowed=lambda s: access.can_serve(user, s.compound),
    )
    manage = access.can_manage(user, svc.compound)
    errors, form = {}, {}
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        form = request.POST
        try:
            day = date.fromisoformat(request.POST.get("day", ""))
        except (ValueError, TypeError):
            errors = {"day": [_("请填写日期。")]}
        if not errors:
            cap = selectors.as_id(request.POST.get("capacity")) or 0
            days = selectors.as_id(request.POST.get("days")) or 7
            try:
                made = services.slots_generate(
                    actor=user,
                    service=svc,
                    day=day,
                    start=_time(request.POST.get("start")),
                    end=_time(request.POST.get("end")),
                    capacity=cap,
                    days=days,
                )
            except Refusal as exc:
                if exc.status == 403:
                    raise PermissionDenied from None
                errors = errors_of(exc)
            else:
                messages.success(request, _("已生成 %(n)s 个时段。") % {"n": made})
                return redirect("conv_service", svc.pk)
    return render(
        request,
        "conveniences/service.html",
        {
            "compound": svc.compound,
            "service": svc,
            "slots": list(selectors.upcoming_slots(svc)),
            "manage": manage,
            "errors": errors,
            "form": form,
            "tab": "services",
        },
        status=422 if errors else 200,
    )


def _roster(c, day):
    return list(selectors.day_roster(c, day))


@login_required
def day(request, compound_id):
    c = _compound(request, compound_id)
    d = _day(request)
    rows = _roster(c, d)
    counts = dict.fromkeys(Status.values, 0)
    for b in rows:
        counts[b.status] += 1
    return render(
        request,
        "conveniences/day.html",
        {
            "compound": c,
            "day": d,
            "bookings": rows,
            "counts": counts,
            "now": timezone.now(),
            "open_slots": list(selectors.slots_open_in(c, d)),
            "households": list(selectors.households_of(c)),
            "tab": "day",
            "manage": access.can_manage(request.user, c),
        },
    )


@login_required
def day_xlsx(request, compound_id):
    c = _compound(request, compound_id)
    d = _day(request)
    audit(actor=request.user, action="conveniences.roster.exported", obj=c, detail={"day": str(d)})
    return sheets.xlsx_response(
        _("预约名单"),
        exports.roster_rows(_roster(c, d)),
        f"bookings-{c.pk}-{d.isoformat()}.xlsx",
        widths=exports.WIDTHS,
    )


@login_required
def day_print(request, compound_id):
    c = _compound(request, compound_id)
    d = _day(request)
    return render(
        request,
        "conveniences/print_day.html",
        {"compound": c, "day": d, "bookings": _roster(c, d)},
    )


@login_required
@require_POST
def book_for(request, compound_id):
    c = _compound(request, compound_id)
    slot_id = selectors.as_id(request.POST.get("slot"))
    household_id = selectors.as_id(request.POST.get("household"))
    slot = selectors.slot_in(c, slot_id) if slot_id else None
    household = selectors.household_in(c, household_id) if household_id else None
    if slot is None or household is None:
        messages.error(request, _("请选择时段和住户。"))
    else:
        try:
            b = services.booking_create(
                actor=request.user,
                slot=slot,
                household=household,
                note=request.POST.get("note", ""),
                upload=request.FILES.get("file"),
            )
        except Refusal as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                _("已为 %(h)s 代约（%(s)s）。")
                % {"h": household.label, "s": b.get_status_display()},
            )
    day = timezone.localdate(slot.starts_at).isoformat() if slot else ""
    return redirect(reverse("conv_day", args=[c.pk]) + (f"?date={day}" if day else ""))


def _booking(request, pk):
    user = request.user
    if not access.serves_anywhere(user):
        raise PermissionDenied
    return gate(
        user,
        selectors.bookings_visible_to(user),
        pk,
        compound="compound_id",
        allowed=lambda b: access.can_serve(user, b.compound),
    )


def _back(request, booking):
    nxt = request.POST.get("next", "")
    if nxt == "print":
        return redirect("conv_print", booking.compound_id)
    day = timezone.localdate(booking.slot.starts_at).isoformat()
    return redirect(reverse("conv_day", args=[booking.compound_id]) + f"?date={day}")


@login_required
@require_POST
def mark(request, pk):
    b = _booking(request, pk)
    try:
        services.booking_mark(
            actor=request.user, booking=b, outcome=request.POST.get("outcome", "")
        )
    except Refusal as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已登记：%(s)s") % {"s": b.get_status_display()})
    return _back(request, b)


@login_required
@require_POST
def cancel(request, pk):
    b = _booking(request, pk)
    try:
        services.booking_cancel(actor=request.user, booking=b)
    except Refusal as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已取消。"))
    return _back(request, b)


@login_required
@require_POST
def printed(request, pk):
    b = _booking(request, pk)
    try:
        services.booking_printed(actor=request.user, booking=b)
    except Refusal as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已标记打印完成，已通知住户。"))
    return redirect("conv_print", b.compound_id)


@login_required
def print_file(request, pk):
    b = _booking(request, pk)
    if not b.file:
        raise Http404
    audit(actor=request.user, action="conveniences.print.downloaded", obj=b)
    try:
        handle = b.file.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=b.file_name or b.file.name)


@login_required
def print_queue(request, compound_id):
    c = _compound(request, compound_id)
    return render(
        request,
        "conveniences/print_queue.html",
        {"compound": c, "jobs": list(selectors.print_queue(c)), "tab": "print"},
    )


@login_required
def suspensions(request, compound_id):
    c = _compound(request, compound_id)
    return render(
        request,
        "conveniences/suspensions.html",
        {
            "compound": c,
            "rows": list(selectors.suspensions_of(c)),
            "now": timezone.now(),
            "manage": access.can_manage(request.user, c),
            "tab": "suspensions",
        },
    )


@login_required
@require_POST
def lift(request, pk):
    user = request.user
    if not access.serves_anywhere(user):
        raise PermissionDenied
    s = gate(
        user,
        selectors.suspensions_visible_to(user),
        pk,
        compound="compound_id",
        allowed=lambda s: access.can_manage(user, s.compound),
    )
    try:
        services.suspension_lift(actor=user, suspension=s, reason=request.POST.get("reason", ""))
    except Refusal as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已解除暂停。"))
    return redirect("conv_suspensions", s.compound_id)
