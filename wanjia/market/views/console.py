"""Console pages to set a market up and run its windows: the market and its
rules, suppliers and costs, the catalog and bundles, reference prices (typed
or imported from Excel), windows with their offers (checked against the
fair-price rule as they are typed), pick-up slots, publishing and cutoff."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.scoping import can
from wanjia.estates.selectors import compounds_visible_to

from .. import exports, selectors, services
from ..access import can_manage, can_operate, require_manage
from ..errors import Conflict
from ..models import Category, OrderStatus, ShortageRule, SupplierKind, WindowStatus
from ..services.catalog import REFERENCE_MAX_AGE
from ..services.imports import template_rows
from .common import errors_of, int_or_none


def _market(request, market_id):
    return selectors.get_or_404(selectors.markets_visible_to(request.user), pk=market_id)


def _managed_market(request, market_id):
    market = _market(request, market_id)
    require_manage(request.user, market)
    return market


def _window(request, window_id):
    return selectors.get_or_404(selectors.windows_visible_to(request.user), pk=window_id)


def _local_dt(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError({field: _("请填写日期和时间。")}) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError({field: _("日期格式应为 2024-06-01。")}) from None


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
        m.current = (
            m.windows.exclude(status=WindowStatus.DRAFT)
            .filter(Q(closes_at__gt=now) | ~Q(status=WindowStatus.PACKED))
            .order_by("-opens_at")[:3]
        )
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
    return market.windows.annotate(
        live=Count("orders", filter=Q(orders__status=OrderStatus.PLACED))
    ).order_by("-opens_at")[:30]


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


# --- suppliers and catalog -------------------------------------------------------------


@login_required
def suppliers(request, market_id):
    market = _managed_market(request, market_id)
    errors, post = {}, {}
    if request.method == "POST":
        post = request.POST
        try:
            _suppliers_post(request, market)
            messages.success(request, _("已保存。"))
            return redirect("market_suppliers", market.pk)
        except ValidationError as exc:
            errors = errors_of(exc)
    rows = market.suppliers.prefetch_related("items__item")
    return render(
        request,
        "market/console_suppliers.html",
        {
            "market": market,
            "suppliers": rows,
            "kinds": SupplierKind.choices,
            "items": market.items.filter(is_bundle=False),
            "errors": errors,
            "post": post,
        },
        status=422 if errors else 200,
    )


def _suppliers_post(request, market) -> None:
    post = request.POST
    if post.get("action") == "cost":
        supplier = selectors.get_or_404(market.suppliers, pk=int_or_none(post.get("supplier")))
        item = market.items.filter(pk=int_or_none(post.get("item"))).first()
        if item is None:
            raise ValidationError({"item": _("请选择商品。")})
        services.supplier_item_set(
            actor=request.user, supplier=supplier, item=item, cost=post.get("cost", "")
        )
        return
    existing = market.suppliers.filter(pk=int_or_none(post.get("id"))).first()
    services.supplier_save(
        actor=request.user,
        market=market,
        supplier=existing,
        name=post.get("name", ""),
        kind=post.get("kind", SupplierKind.FARM),
        contact=post.get("contact", ""),
        phone=post.get("phone", ""),
        address=post.get("address", ""),
        active=post.get("active", "1") == "1",
    )


@login_required
def catalog(request, market_id):
    market = _managed_market(request, market_id)
    errors, post = {}, {}
    if request.method == "POST":
        post = request.POST
        try:
            _catalog_post(request, market)
            messages.success(request, _("已保存。"))
            return redirect("market_catalog", market.pk)
        except ValidationError as exc:
            errors = errors_of(exc)
    items = market.items.prefetch_related("components__item", "supplier_items__supplier")
    return render(
        request,
        "market/console_catalog.html",
        {
            "market": market,
            "items": items,
            "plain": [i for i in items if not i.is_bundle],
            "categories": [c for c in Category.choices if c[0] != Category.BUNDLE],
            "errors": errors,
            "post": post,
        },
        status=422 if errors else 200,
    )


def _catalog_post(request, market) -> None:
    post = request.POST
    if post.get("action") == "components":
        bundle = selectors.get_or_404(
            market.items.filter(is_bundle=True), pk=int_or_none(post.get("bundle"))
        )
        parts = []
        for item in market.items.filter(is_bundle=False):
            qty = (post.get(f"part_{item.pk}") or "").strip()
            if qty and qty != "0":
                parts.append((item, qty))
        services.bundle_set_components(actor=request.user, bundle=bundle, components=parts)
        return
    services.item_save(
        actor=request.user,
        market=market,
        name=post.get("name", ""),
        category=post.get("category", Category.VEGETABLE),
        unit=post.get("unit", ""),
        spec=post.get("spec", ""),
        is_bundle=post.get("is_bundle") == "1",
        sort=int_or_none(post.get("sort")) or 0,
    )


# --- reference prices ------------------------------------------------------------------


@login_required
def prices(request, market_id):
    market = _managed_market(request, market_id)
    errors, post = {}, {}
    if request.method == "POST":
        post = request.POST
        try:
            _prices_post(request, market)
            return redirect("market_prices", market.pk)
        except ValidationError as exc:
            errors = errors_of(exc)
    items = market.items.filter(is_bundle=False).prefetch_related("references")
    today = timezone.localdate()
    rows = []
    for item in items:
        refs = list(item.references.all()[:5])
        latest = refs[0] if refs else None
        rows.append(
            {
                "item": item,
                "latest": latest,
                "history": refs[1:],
                "stale": latest is None or today - latest.on_date > REFERENCE_MAX_AGE,
            }
        )
    return render(
        request,
        "market/console_prices.html",
        {"market": market, "rows": rows, "errors": errors, "post": post, "today": today},
        status=422 if errors else 200,
    )


def _prices_post(request, market) -> None:
    if request.FILES.get("file"):
        count = services.reference_prices_import(
            actor=request.user, market=market, upload=request.FILES["file"]
        )
        messages.success(request, _("已导入 %(n)s 条参考价。") % {"n": count})
        return
    if request.POST.get("action") == "import":
        raise ValidationError({"file": _("请选择要导入的 Excel 文件。")})
    item = market.items.filter(is_bundle=False, pk=int_or_none(request.POST.get("item"))).first()
    if item is None:
        raise ValidationError({"item": _("请选择商品。")})
    services.reference_price_set(
        actor=request.user,
        item=item,
        on_date=_date(request.POST.get("on_date"), "on_date"),
        price=request.POST.get("price", ""),
        source=request.POST.get("source", ""),
    )
    messages.success(request, _("参考价已保存。"))


@login_required
def prices_template(request, market_id):
    market = _managed_market(request, market_id)
    return exports.xlsx_response(
        exports.workbook([(_("参考价"), template_rows(market))]),
        f"reference-prices-{market.pk}.xlsx",
    )


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
        "addable": market.items.filter(active=True).exclude(pk__in=[o.item_id for o in offers]),
        "purchase_orders": list(window.purchase_orders.select_related("supplier")),
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
    item = market.items.filter(pk=int_or_none(request.POST.get("item"))).first()
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
    item = window.market.items.filter(pk=int_or_none(request.GET.get("item"))).first()
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
