"""The resident's 菜篮子 on the phone (H5): what is on sale, the cart, placing,
changing and cancelling an order until cutoff, and "my orders".

Every action answers in place: a refusal re-renders the form with the message
beside the field (422), a success sends the browser to the order."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from wanjia.core.idempotency import IdempotencyKeyMissing, IdempotencyKeyReused, idempotent

from .. import selectors, services
from ..errors import Conflict
from ..models import Fulfilment, Order
from ..payments import PAYMENT_STATE_LABELS
from .common import (
    cart_of,
    errors_of,
    form_payload,
    int_or_none,
    lines_from_post,
    order_form_context,
)

FORM_SCOPE = "market.order.form"


def _go(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _my_household(user, window, wanted=None):
    """The user's own household that ``window`` serves (the one asked for when
    they have several), or None."""
    served = selectors.served_compound_ids(window)
    homes = [h for h in selectors.own_households(user) if h.compound_id in served]
    if wanted is not None:
        homes = [h for h in homes if h.pk == int_or_none(wanted)]
    return homes[0] if homes else None


def _window(request, window_id):
    return selectors.get_or_404(selectors.windows_visible_to(request.user), pk=window_id)


@login_required
def h5_home(request):
    households = list(selectors.own_households(request.user))
    windows = list(selectors.open_windows_for_households(request.user, households))
    mine = selectors.placed_orders_by_window(households, windows)
    markets = {w.market for w in windows} | set(selectors.markets_serving(request.user, households))
    return render(
        request,
        "market/h5_home.html",
        {
            "tab": "services",
            "households": households,
            "entries": [{"window": w, "order": mine.get(w.pk)} for w in windows],
            "recent": list(selectors.my_orders(request.user)[:3]),
            "markets": sorted(markets, key=lambda m: m.pk),
        },
    )


@login_required
def h5_window(request, window_id):
    window = _window(request, window_id)
    household = _my_household(request.user, window, request.GET.get("household"))
    if household is None:
        return render(
            request, "market/h5_not_served.html", {"tab": "services", "window": window}, status=403
        )
    order = selectors.live_order_of(window, household)
    if order is not None and not request.GET.get("edit"):
        return redirect("market_h5_order", order.pk)
    context = order_form_context(window, household=household, order=order)
    return render(request, "market/h5_window.html", {"tab": "services", **context})


@login_required
@require_POST
def h5_cart(request, window_id):
    window = _window(request, window_id)
    offers = list(selectors.offers_of(window))
    return render(
        request, "market/_cart.html", {"cart": cart_of(request.POST, offers), "window": window}
    )


def _form_error(request, window, household, exc, *, order=None, template="market/_order_form.html"):
    context = order_form_context(
        window, household=household, order=order, post=request.POST, errors=errors_of(exc)
    )
    return render(request, template, context, status=422)


@login_required
@require_POST
def h5_place(request, window_id):
    window = _window(request, window_id)
    household = _my_household(request.user, window, request.POST.get("household"))
    if household is None:
        raise Http404
    order_id = _place(request, window, household)
    if not isinstance(order_id, int):
        return order_id  # the form again, with the refusal beside the field
    messages.success(request, _("下单成功，截单前可以修改或取消。"))
    return _go(request, reverse("market_h5_order", args=[order_id]))


def _place(request, window, household):
    """Place from the order form, at most once per form (its hidden ``idem``
    key makes a double tap or a resubmitted page return the first order)."""
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

        _status, body, _replayed = idempotent(
            user=request.user,
            scope=FORM_SCOPE,
            key=post.get("idem"),
            payload=form_payload(post, offers),
            run=run,
        )
    except (ValidationError, Conflict) as exc:
        return _form_error(request, window, household, exc)
    except (IdempotencyKeyMissing, IdempotencyKeyReused) as exc:
        return _form_error(request, window, household, ValidationError(str(exc.message)))
    return body["id"]


def _my_order(request, pk) -> Order:
    order = selectors.my_order(request.user, pk)
    if order is None:
        raise Http404(_("未找到该记录。"))
    return order


@login_required
@require_POST
def h5_change(request, pk):
    order = _my_order(request, pk)
    window = order.window
    offers = list(selectors.offers_of(window))
    post = request.POST
    try:
        fulfilment = post.get("fulfilment") or Fulfilment.DOOR
        slot = selectors.slot_of(window, int_or_none(post.get("slot")))
        services.order_change(
            actor=request.user,
            order=order,
            lines=lines_from_post(post, offers),
            fulfilment=fulfilment,
            slot=slot if fulfilment == Fulfilment.PICKUP else None,
            note=post.get("note", ""),
        )
    except (ValidationError, Conflict) as exc:
        return _form_error(request, window, order.household, exc, order=order)
    messages.success(request, _("订单已修改。"))
    return _go(request, reverse("market_h5_order", args=[order.pk]))


@login_required
@require_POST
def h5_cancel(request, pk):
    order = _my_order(request, pk)
    try:
        services.order_cancel(actor=request.user, order=order)
    except (ValidationError, Conflict) as exc:
        return render(request, "market/_refusal.html", {"errors": errors_of(exc)}, status=422)
    messages.success(request, _("订单已取消，库存已退回。"))
    return _go(request, reverse("market_h5_order", args=[order.pk]))


@login_required
def h5_orders(request):
    orders = list(selectors.my_orders(request.user)[:50])
    return render(request, "market/h5_orders.html", {"tab": "me", "orders": orders})


@login_required
def h5_order(request, pk):
    order = _my_order(request, pk)
    paid, state = selectors.order_payment_state(order)
    return render(
        request,
        "market/h5_order.html",
        {
            "tab": "me",
            "order": order,
            "lines": list(order.lines.all()),
            "phase": order.window.phase(),
            "paid": paid,
            "pay_state": state,
            "pay_state_label": PAYMENT_STATE_LABELS[state],
        },
    )
