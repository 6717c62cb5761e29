"""The courier's phone: today's routes, a route's doors in order, and closing
each bag at the door by the household's pickup code, by scanning the bag's
label, or with the reason it could not be left. Every action answers in place
(the bag's row is swapped, the route's progress with it)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Conflict

from .. import selectors, services
from ..access import can_hand_off
from ..models import DeliveryStatus, FailReason, Method
from .common import delivery_for, errors_of, floor_span, own_route, route_for

OPEN = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


@login_required
def mine(request):
    return render(
        request, "delivery/mine.html", {"routes": list(selectors.my_routes_today(request.user))}
    )


def progress_of(route) -> dict:
    return selectors.route_progress(route)


@login_required
def route(request, pk):
    route = route_for(request, pk)
    stops = selectors.route_sheet(route)
    for stop in stops:
        stop.floor_span = floor_span(stop)
        stop.trip_no = stop.trip + 1
        stop.open = sum(1 for d in stop.deliveries.all() if d.status in OPEN)
    return render(
        request,
        "delivery/route.html",
        {
            "route": route,
            "plan": route.plan,
            "window": route.plan.window,
            "stops": stops,
            "progress": progress_of(route),
            "hand_off": _may_hand_off(request.user, route),
            "mine": own_route(request.user, route),
            "reasons": FailReason.choices,
            "errors": {},
        },
    )


def _may_hand_off(user, route) -> bool:
    return route.plan.current and can_hand_off(user, route)


# --- answering an action --------------------------------------------------------------


def _row_context(request, delivery, errors=None) -> dict:
    route = delivery.stop.route
    return {
        "d": delivery,
        "hand_off": route is not None and _may_hand_off(request.user, route),
        "reasons": FailReason.choices,
        "errors": errors or {},
        "compact": request.POST.get("compact") == "1",
        "with_progress": request.POST.get("progress") == "1",
    }


def _row_response(request, delivery, *, errors=None, status=200, extra: str = ""):
    """The bag's row (and, from the route page, the route's progress out of band)."""
    context = _row_context(request, delivery, errors)
    html = render_to_string("delivery/_bag.html", context, request=request)
    route = delivery.stop.route
    if context["with_progress"] and route is not None:
        html += render_to_string(
            "delivery/_progress.html",
            {"progress": progress_of(route), "oob": True},
            request=request,
        )
    return HttpResponse(extra + html, status=status)


def _back(request, delivery, *, ok: str = "", errors=None):
    """Without htmx: a message and back to the bag on its route."""
    if errors:
        messages.error(request, " ".join(str(m) for ms in errors.values() for m in ms))
    elif ok:
        messages.success(request, ok)
    if delivery.stop.route_id:
        return redirect(
            reverse("delivery_route", args=[delivery.stop.route_id]) + f"#d-{delivery.pk}"
        )
    return redirect("delivery_mine")


def _act(request, delivery, action, ok: str):
    try:
        action()
    except PermissionDenied:
        if not request.htmx:
            raise
        return _row_response(
            request, delivery, errors={"__all__": [_("你不能确认这一袋。")]}, status=403
        )
    except (ValidationError, Conflict) as exc:
        errors = errors_of(exc)
        delivery.refresh_from_db()
        if not request.htmx:
            return _back(request, delivery, errors=errors)
        return _row_response(request, delivery, errors=errors, status=422)
    delivery.refresh_from_db()
    return _row_response(request, delivery) if request.htmx else _back(request, delivery, ok=ok)


@login_required
@require_POST
def confirm(request, pk):
    delivery = delivery_for(request, pk)
    post = request.POST
    return _act(
        request,
        delivery,
        lambda: services.delivery_confirm(
            actor=request.user,
            delivery=delivery,
            method=post.get("method") or Method.CODE,
            code=post.get("code", ""),
            photo=request.FILES.get("photo"),
        ),
        _("已确认送达。"),
    )


@login_required
@require_POST
def fail(request, pk):
    delivery = delivery_for(request, pk)
    post = request.POST
    return _act(
        request,
        delivery,
        lambda: services.delivery_fail(
            actor=request.user,
            delivery=delivery,
            reason=post.get("reason", ""),
            note=post.get("note", ""),
        ),
        _("已记录未送达原因。"),
    )


# --- scanning the bag's label -----------------------------------------------------------


def _scanned(user, route, scanned: str):
    """The bag a scan names among the user's own current routes; a planner
    standing in for the courier finds it on this route."""
    found = selectors.first_with_stop(services.deliveries_for_scan(user, scanned))
    if found is None and can_hand_off(user, route) and not own_route(user, route):
        found = selectors.route_bag(route, services.bag_code_of(scanned))
    return found


@login_required
@require_POST
def scan(request, pk):
    route = route_for(request, pk)
    if not _may_hand_off(request.user, route):
        raise PermissionDenied
    scanned = (request.POST.get("scanned") or "").strip()
    found = _scanned(request.user, route, scanned) if scanned else None
    if found is None:
        errors = {"scanned": [_("没有找到这一袋：不在你当前的配送路线上，请核对标签。")]}
        if not scanned:
            errors = {"scanned": [_("请扫描袋上的二维码，或输入订单号。")]}
        return _scan_answer(request, route, errors=errors, scanned=scanned, status=422)
    delivery = delivery_for(request, found.pk)
    try:
        services.delivery_confirm(
            actor=request.user, delivery=delivery, method=Method.QR, code=scanned
        )
    except (ValidationError, Conflict) as exc:
        errors = {"scanned": [m for ms in errors_of(exc).values() for m in ms]}
        return _scan_answer(request, route, errors=errors, scanned=scanned, status=422)
    delivery.refresh_from_db()
    return _scan_answer(request, route, done=delivery)


def _scan_answer(request, route, *, errors=None, scanned="", done=None, status=200):
    if not request.htmx:
        if errors:
            messages.error(request, " ".join(m for ms in errors.values() for m in ms))
        else:
            messages.success(request, _("已确认送达：%(bag)s") % {"bag": done.order.code})
        return redirect("delivery_route", route.pk)
    box = render_to_string(
        "delivery/_scan.html",
        {"route": route, "errors": errors or {}, "scanned": scanned, "done": done},
        request=request,
    )
    if done is None:
        return HttpResponse(box, status=status)
    row = render_to_string(
        "delivery/_bag.html",
        {**_row_context(request, done), "oob": True},
        request=request,
    )
    progress = render_to_string(
        "delivery/_progress.html", {"progress": progress_of(route), "oob": True}, request=request
    )
    return HttpResponse(box + row + progress)


# --- the photo --------------------------------------------------------------------------


@login_required
def photo(request, pk):
    delivery = selectors.get_or_404(selectors.deliveries_visible_to(request.user), pk=pk)
    if not delivery.photo:
        raise Http404(_("没有照片。"))
    try:
        return FileResponse(delivery.photo.open("rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise Http404(_("没有照片。")) from None


# --- the market's bag page (a label's QR code) ------------------------------------------


def bag_handoff(user, order):
    """The bag's open delivery in a current plan, when ``user`` may close it
    (the bag page then shows "确认送达"); else None."""
    delivery = selectors.open_bag_of_order(order, OPEN)
    if delivery and can_hand_off(user, delivery.stop.route):
        return delivery
    return None


def courier_bag_url(user, code: str) -> str | None:
    """Where a courier who cannot see the market's orders goes from a bag's
    label: the bag on their own route."""
    found = selectors.first_with_stop(services.deliveries_for_scan(user, code))
    if found is None or found.stop.route_id is None:
        return None
    return reverse("delivery_route", args=[found.stop.route_id]) + f"#d-{found.pk}"


# --- the resident's order page ----------------------------------------------------------

ETA_STEP_S = 300


def resident_order_panel(request, order) -> dict | None:
    """The panel on the resident's order page (slot ``market.resident_order``):
    a door order still to hand over or handed over today."""
    from wanjia.market.models import Fulfilment, OrderStatus

    if order.fulfilment != Fulfilment.DOOR or order.status != OrderStatus.PLACED:
        return None
    return {"order": order, "delivery": resident_delivery(order)}


def resident_delivery(order) -> dict:
    """What the resident's door order shows: the pickup code, and "before
    HH:MM" = the stop's arrival plus its hand-off time, rounded up to five
    minutes (a promise a little late is worse than one a little early)."""
    view = selectors.resident_view(order)
    delivery, eta = view["delivery"], None
    if delivery is not None and delivery.stop.eta is not None:
        done = delivery.stop.eta + timedelta(seconds=delivery.stop.service_s)
        extra = -done.timestamp() % ETA_STEP_S
        eta = done + timedelta(seconds=extra)
    return {**view, "eta": eta}
