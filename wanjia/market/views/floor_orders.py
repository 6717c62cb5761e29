"""Market floor pages: a window's orders and 代下单 (ordering for a household without a phone), paying and cancelling at the desk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from wanjia.core.idempotency import IdempotencyKeyMissing, IdempotencyKeyReused, idempotent
from wanjia.core.scoping import can

from .. import selectors, services
from ..access import can_operate
from ..errors import Conflict
from ..models import Fulfilment, Order, PaymentKind
from ..payments import CHANNELS, PAYMENT_STATE_LABELS
from .common import errors_of, form_payload, int_or_none, lines_from_post, order_form_context
from .floor_common import FORM_SCOPE, _window

# --- orders and 代下单 ----------------------------------------------------------------------

ORDERS_PER_PAGE = 50


@login_required
def window_orders(request, window_id):
    window = _window(request, window_id)
    q = (request.GET.get("q") or "").strip()
    status = request.GET.get("status", "placed")
    return render(
        request,
        "market/console_orders.html",
        {
            "window": window,
            # every order, 50 a page with the total (the list stopped at 300, silently)
            "orders": Paginator(
                selectors.window_orders_listed(request.user, window, q=q, status=status),
                ORDERS_PER_PAGE,
            ).get_page(request.GET.get("page")),
            "q": q,
            "status": status,
            "can_order_for": window.accepting() and selectors.may_order_for(request.user, window),
        },
    )


def _served_orderable(request, window):
    return selectors.households_orderable_in(request.user, window)


@login_required
def order_for(request, window_id):
    """代下单: find the household (room, code or a resident's name), then fill
    the same order form a resident sees."""
    window = _window(request, window_id)
    households = _served_orderable(request, window)
    if not households.exists():
        raise PermissionDenied
    household = None
    if request.GET.get("household"):
        household = selectors.get_or_404(households, pk=int_or_none(request.GET.get("household")))
    q = (request.GET.get("q") or "").strip()
    found = []
    if q and household is None:
        found = selectors.households_matching(households, q)
    context = {"window": window, "q": q, "found": found, "household": household}
    if household is not None:
        order = selectors.live_order_of(window, household)
        if order is not None:
            return redirect("market_staff_order", order.pk)
        context.update(order_form_context(window, household=household))
    return render(request, "market/console_order_for.html", context)


@login_required
@require_POST
def order_for_place(request, window_id):
    window = _window(request, window_id)
    household = selectors.get_or_404(
        _served_orderable(request, window), pk=int_or_none(request.POST.get("household"))
    )
    offers = list(selectors.offers_of(window))
    post = request.POST
    try:
        lines = lines_from_post(post, offers)
        fulfilment = post.get("fulfilment") or Fulfilment.DOOR
        slot = selectors.slot_of(window, int_or_none(post.get("slot")))

        def run():
            order = services.order_place(
                actor=request.user,
                window=window,
                household=household,
                lines=lines,
                fulfilment=fulfilment,
                slot=slot if fulfilment == Fulfilment.PICKUP else None,
                note=post.get("note", ""),
            )
            return 201, {"id": order.pk}

        _s, body, _r = idempotent(
            user=request.user,
            scope=FORM_SCOPE,
            key=post.get("idem"),
            payload=form_payload(post, offers),
            run=run,
        )
    except (ValidationError, Conflict, IdempotencyKeyMissing, IdempotencyKeyReused) as exc:
        if isinstance(exc, IdempotencyKeyMissing | IdempotencyKeyReused):
            exc = ValidationError(str(exc.message))
        context = order_form_context(window, household=household, post=post, errors=errors_of(exc))
        context["staff"] = True
        return render(request, "market/_order_form.html", context, status=422)
    messages.success(request, _("已为该住户代下单（已记入审计日志）。"))
    url = reverse("market_staff_order", args=[body["id"]])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _staff_order(request, pk) -> Order:
    return selectors.get_or_404(selectors.orders_visible_to(request.user), pk=pk)


def staff_order_context(request, order, **extra) -> dict:
    paid, state = selectors.order_payment_state(order)
    market = order.window.market
    user = request.user
    return {
        "order": order,
        "window": order.window,
        "lines": selectors.order_lines(order),
        "payments": selectors.order_payments(order),
        "paid": paid,
        "owed": order.total - paid,
        "pay_state": state,
        "pay_state_label": PAYMENT_STATE_LABELS[state],
        "channels": CHANNELS.values(),
        "can_pay": can_operate(user, market)
        or can(user, "market.operate", compound=order.compound),
        "can_pack": can_operate(user, market),
        "can_cancel": order.is_live and order.window.accepting(),
        "errors": {},
        "post": {},
        **extra,
    }


@login_required
def staff_order(request, pk):
    order = _staff_order(request, pk)
    return render(request, "market/console_order.html", staff_order_context(request, order))


@login_required
@require_POST
def staff_order_pay(request, pk):
    order = _staff_order(request, pk)
    try:
        services.payment_record(
            actor=request.user,
            order=order,
            channel=request.POST.get("channel", ""),
            amount=request.POST.get("amount", ""),
            kind=request.POST.get("kind", PaymentKind.PAYMENT),
            reference=request.POST.get("reference", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, Conflict) as exc:
        context = staff_order_context(request, order, errors=errors_of(exc), post=request.POST)
        return render(request, "market/_payments.html", context, status=422)
    return render(request, "market/_payments.html", staff_order_context(request, order))


@login_required
@require_POST
def staff_order_cancel(request, pk):
    order = _staff_order(request, pk)
    try:
        services.order_cancel(actor=request.user, order=order)
    except (ValidationError, Conflict) as exc:
        messages.error(request, " ".join(m for ms in errors_of(exc).values() for m in ms))
    else:
        messages.success(request, _("订单已取消。"))
    return redirect("market_staff_order", order.pk)
