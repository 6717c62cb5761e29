"""Market console pages: one order window - offers, slots, publishing and the cut-off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.scoping import can

from .. import selectors, services
from ..access import can_manage, can_operate, require_manage
from ..errors import Conflict
from .common import errors_of, int_or_none
from .console_common import _local_dt, _window

# --- a window: offers, slots, publish, cutoff --------------------------------------------------


def window_context(request, window, **extra) -> dict:
    market = window.market
    counts = selectors.window_counts(window)
    offers = list(selectors.offers_of(window))
    return {
        "window": window,
        "market": market,
        "phase": window.phase(),
        "offers": offers,
        "slots": list(window.slots.all()),
        "counts": counts,
        "can_manage": can_manage(request.user, market),
        "can_operate": can_operate(request.user, market),
        "addable": selectors.addable_items(market, offers),
        "purchase_orders": selectors.window_purchase_orders(window),
        "errors": {},
        "post": {},
        **extra,
    }


@login_required
def window_detail(request, window_id):
    window = _window(request, window_id)
    if not (
        can_operate(request.user, window.market)
        or can(request.user, "market.view_orders", compound=window.market.compound)
    ):
        raise PermissionDenied
    return render(request, "market/console_window.html", window_context(request, window))


def _offers_panel(request, window, *, errors=None, post=None, status=200):
    return render(
        request,
        "market/_offers.html",
        window_context(request, window, errors=errors or {}, post=post or {}),
        status=status,
    )


@login_required
@require_POST
def offer_add(request, window_id):
    window = _window(request, window_id)
    market = window.market
    require_manage(request.user, market)
    item = selectors.market_item(market, int_or_none(request.POST.get("item")))
    try:
        if item is None:
            raise ValidationError({"item": _("请选择商品。")})
        services.offer_save(
            actor=request.user,
            window=window,
            item=item,
            price=request.POST.get("price", ""),
            stock=request.POST.get("stock", ""),
            limit_per_household=request.POST.get("limit_per_household", ""),
        )
    except (ValidationError, Conflict) as exc:
        return _offers_panel(request, window, errors=errors_of(exc), post=request.POST, status=422)
    return _offers_panel(request, window)


@login_required
@require_POST
def offer_remove(request, window_id, offer_id):
    window = _window(request, window_id)
    offer = selectors.get_or_404(window.offers, pk=offer_id)
    try:
        services.offer_remove(actor=request.user, offer=offer)
    except Conflict as exc:
        return _offers_panel(request, window, errors=errors_of(exc), status=422)
    return _offers_panel(request, window)


@login_required
@require_POST
def offer_restock(request, window_id, offer_id):
    window = _window(request, window_id)
    offer = selectors.get_or_404(window.offers, pk=offer_id)
    try:
        services.offer_restock(actor=request.user, offer=offer, extra=request.POST.get("extra", ""))
    except (ValidationError, Conflict) as exc:
        return _offers_panel(request, window, errors=errors_of(exc), status=422)
    return _offers_panel(request, window)


@login_required
def price_hint(request, window_id):
    """As the manager picks an item: its cost, reference and highest fair price."""
    window = _window(request, window_id)
    require_manage(request.user, window.market)
    item = selectors.market_item(window.market, int_or_none(request.GET.get("item")))
    context = {"item": item, "market": window.market}
    if item is not None:
        try:
            pricing = services.pricing_for(item, on_date=window.delivery_date)
            context.update(pricing=pricing, cap=pricing.cap(window.market.markup_cap_pct))
        except ValidationError as exc:
            context["problem"] = " ".join(m for ms in errors_of(exc).values() for m in ms)
    return render(request, "market/_price_hint.html", context)


@login_required
@require_POST
def slot_add(request, window_id):
    window = _window(request, window_id)
    try:
        services.slot_add(
            actor=request.user,
            window=window,
            starts_at=_local_dt(request.POST.get("starts_at"), "starts_at"),
            ends_at=_local_dt(request.POST.get("ends_at"), "ends_at"),
            capacity=request.POST.get("capacity", ""),
        )
    except ValidationError as exc:
        return _offers_panel(request, window, errors=errors_of(exc), post=request.POST, status=422)
    return _offers_panel(request, window)


@login_required
@require_POST
def window_open(request, window_id):
    window = _window(request, window_id)
    try:
        services.window_open(actor=request.user, window=window)
    except (ValidationError, Conflict) as exc:
        messages.error(request, " ".join(m for ms in errors_of(exc).values() for m in ms))
    else:
        messages.success(request, _("窗口已发布，居民可在开始时间后下单。"))
    return redirect("market_window", window.pk)


@login_required
@require_POST
def window_close(request, window_id):
    window = _window(request, window_id)
    if services.window_close(actor=request.user, window=window):
        messages.success(request, _("已截单，采购单已生成。"))
    else:
        messages.error(request, _("窗口不在接单中，无需截单。"))
    return redirect("market_window", window.pk)
