"""Market console pages: suppliers, the catalog and reference prices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import exports, selectors, services
from ..models import Category, SupplierKind
from ..services.catalog import REFERENCE_MAX_AGE
from ..services.imports import template_rows
from .common import errors_of, int_or_none
from .console_common import _date, _managed_market

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
    rows = selectors.market_suppliers(market)
    return render(
        request,
        "market/console_suppliers.html",
        {
            "market": market,
            "suppliers": rows,
            "kinds": SupplierKind.choices,
            "items": selectors.plain_items(market),
            "errors": errors,
            "post": post,
        },
        status=422 if errors else 200,
    )


def _suppliers_post(request, market) -> None:
    post = request.POST
    if post.get("action") == "cost":
        supplier = selectors.get_or_404(market.suppliers, pk=int_or_none(post.get("supplier")))
        item = selectors.market_item(market, int_or_none(post.get("item")))
        if item is None:
            raise ValidationError({"item": _("请选择商品。")})
        services.supplier_item_set(
            actor=request.user, supplier=supplier, item=item, cost=post.get("cost", "")
        )
        return
    existing = selectors.market_supplier(market, int_or_none(post.get("id")))
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
    items = selectors.catalog_items(market)
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
        bundle = selectors.get_or_404(selectors.bundles(market), pk=int_or_none(post.get("bundle")))
        parts = []
        for item in selectors.plain_items(market):
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
    today = timezone.localdate()
    rows = selectors.reference_rows(market, today=today, max_age=REFERENCE_MAX_AGE)
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
    item = selectors.plain_item(market, int_or_none(request.POST.get("item")))
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
