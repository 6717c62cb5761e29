"""Console pages to set a market up and run its windows: the market and its
rules, suppliers and costs, the catalog and bundles, reference prices (typed
or imported from Excel), windows with their offers (checked against the
fair-price rule as they are typed), pick-up slots, publishing and cutoff."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.scoping import can
from wanjia.estates.selectors import compounds_visible_to

from .. import selectors, services
from ..access import can_manage, can_operate
from ..models import ShortageRule
from .common import errors_of, int_or_none
from .console_catalog import (
    catalog,  # noqa: F401  (re-exported)
    prices,  # noqa: F401  (re-exported)
    prices_template,  # noqa: F401  (re-exported)
    suppliers,  # noqa: F401  (re-exported)
)
from .console_common import _date, _local_dt, _managed_market, _market
from .console_window import (
    offer_add,  # noqa: F401  (re-exported)
    offer_remove,  # noqa: F401  (re-exported)
    offer_restock,  # noqa: F401  (re-exported)
    price_hint,  # noqa: F401  (re-exported)
    slot_add,  # noqa: F401  (re-exported)
    window_close,  # noqa: F401  (re-exported)
    window_context,  # noqa: F401  (re-exported)
    window_detail,  # noqa: F401  (re-exported)
    window_open,  # noqa: F401  (re-exported)
)

# --- markets -------------------------------------------------------------------------


@login_required
def market_list(request):
    user = request.user
    markets = selectors.markets_for_console(user)
    manageable = selectors.compounds_to_start_market(user)
    if not markets and not manageable:
        raise PermissionDenied
    now = timezone.now()
    for m in markets:
        m.current = selectors.current_windows(m, now)
    return render(
        request,
        "market/console_markets.html",
        {"markets": markets, "manageable": manageable, "errors": {}, "post": {}},
    )


@login_required
@require_POST
def market_create(request):
    compounds = {c.pk: c for c in compounds_visible_to(request.user)}
    home = compounds.get(int_or_none(request.POST.get("compound")))
    served = [
        compounds[i] for i in map(int_or_none, request.POST.getlist("compounds")) if i in compounds
    ]
    try:
        if home is None:
            raise ValidationError({"compound": _("请选择运营小区。")})
        market = services.market_create(
            actor=request.user,
            compound=home,
            name=request.POST.get("name", ""),
            compounds=served,
            markup_cap_pct=request.POST.get("markup_cap_pct") or "3",
            spare_pct=request.POST.get("spare_pct") or "5",
            shortage_rule=request.POST.get("shortage_rule") or ShortageRule.PRO_RATA,
            pickup_point=request.POST.get("pickup_point", ""),
        )
    except ValidationError as exc:
        manageable = [
            c for c in compounds.values() if can(request.user, "market.manage", compound=c)
        ]
        return render(
            request,
            "market/console_markets.html",
            {
                "markets": [],
                "manageable": manageable,
                "errors": errors_of(exc),
                "post": request.POST,
            },
            status=422,
        )
    messages.success(request, _("菜篮子市场已创建。"))
    return redirect("market_detail", market.pk)


def _window_rows(market):
    return selectors.window_rows(market)


def _new_window_defaults() -> dict:
    """Tonight 18:00–22:00 for tomorrow morning (local time), the usual rhythm."""
    today = timezone.localdate()
    return {
        "title": _("%(date)s 早市") % {"date": f"{today + timedelta(days=1):%m月%d日}"},
        "opens_at": datetime.combine(today, time(18, 0)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": datetime.combine(today, time(22, 0)).strftime("%Y-%m-%dT%H:%M"),
        "delivery_date": (today + timedelta(days=1)).isoformat(),
    }


@login_required
def market_detail(request, market_id, *, errors=None, post=None, status=200):
    market = _market(request, market_id)
    if not (
        can_operate(request.user, market)
        or can(request.user, "market.view_orders", compound=market.compound)
    ):
        raise PermissionDenied
    return render(
        request,
        "market/console_market.html",
        {
            "market": market,
            "windows": _window_rows(market),
            "can_manage": can_manage(request.user, market),
            "rules": ShortageRule.choices,
            "errors": errors or {},
            "post": post or _new_window_defaults(),
            "served": list(market.compounds.all()),
        },
        status=status,
    )


@login_required
@require_POST
def market_settings(request, market_id):
    market = _managed_market(request, market_id)
    try:
        services.market_update(
            actor=request.user,
            market=market,
            markup_cap_pct=request.POST.get("markup_cap_pct", ""),
            spare_pct=request.POST.get("spare_pct", ""),
            shortage_rule=request.POST.get("shortage_rule", ""),
            pickup_point=request.POST.get("pickup_point", ""),
        )
    except ValidationError as exc:
        market.refresh_from_db()
        return market_detail(request, market_id, errors=errors_of(exc), status=422)
    messages.success(request, _("规则已保存。"))
    return redirect("market_detail", market.pk)


@login_required
@require_POST
def window_new(request, market_id):
    market = _managed_market(request, market_id)
    post = request.POST
    try:
        window = services.window_create(
            actor=request.user,
            market=market,
            title=post.get("title", ""),
            opens_at=_local_dt(post.get("opens_at"), "opens_at"),
            closes_at=_local_dt(post.get("closes_at"), "closes_at"),
            delivery_date=_date(post.get("delivery_date"), "delivery_date"),
        )
    except ValidationError as exc:
        return market_detail(request, market_id, errors=errors_of(exc), post=post, status=422)
    messages.success(request, _("窗口已创建（草稿）。请添加在售商品后发布。"))
    return redirect("market_window", window.pk)
