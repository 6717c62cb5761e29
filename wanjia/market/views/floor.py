"""Console pages for the work after (and around) the orders: the order list,
ordering for a resident without a phone (代下单), payments on delivery,
purchase orders, receiving from 05:00, pick lists and labels (A4 and Excel),
the sorting board updated from phones, the bag a QR code opens, and the
window's report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from wanjia.core import intents
from wanjia.core.idempotency import IdempotencyKeyMissing, IdempotencyKeyReused, idempotent
from wanjia.core.scoping import can

from .. import exports, selectors, services
from ..access import can_manage, can_operate
from ..errors import Conflict
from ..models import Fulfilment, Order, OrderStatus, PaymentKind, PurchaseLine, WindowStatus
from ..payments import CHANNELS, PAYMENT_STATE_LABELS
from .common import errors_of, form_payload, int_or_none, lines_from_post, order_form_context

FORM_SCOPE = "market.order.form"


def _window(request, window_id):
    return selectors.get_or_404(selectors.windows_visible_to(request.user), pk=window_id)


def _can_see_orders(user, market) -> bool:
    return can_operate(user, market) or can(user, "market.view_orders", compound=market.compound)


def _staff_window(request, window_id):
    window = _window(request, window_id)
    if not _can_see_orders(request.user, window.market):
        raise PermissionDenied
    return window


# --- orders and 代下单 ----------------------------------------------------------------------


@login_required
def window_orders(request, window_id):
    window = _window(request, window_id)
    orders = selectors.orders_visible_to(request.user).filter(window=window)
    q = (request.GET.get("q") or "").strip()
    if q:
        orders = orders.filter(
            Q(code__iexact=q) | Q(household__code__icontains=q) | Q(household__room=q)
        )
    status = request.GET.get("status", "placed")
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    return render(
        request,
        "market/console_orders.html",
        {
            "window": window,
            "orders": selectors.orders_with_lines(orders).order_by(
                "building__sort", "household__room"
            )[:300],
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
        found = households.filter(
            Q(code__icontains=q) | Q(room=q) | Q(residents__name__contains=q)
        ).distinct()[:20]
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
        slot = window.slots.filter(pk=int_or_none(post.get("slot"))).first()

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
        "lines": list(order.lines.select_related("offer__item")),
        "payments": list(order.payments.select_related("recorded_by")),
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


# --- purchase orders ---------------------------------------------------------------------


@login_required
def purchase(request, window_id):
    window = _staff_window(request, window_id)
    return render(
        request,
        "market/print_purchase.html",
        {
            "window": window,
            "market": window.market,
            "purchase_orders": selectors.purchase_orders_of(window),
            "can_manage": can_manage(request.user, window.market),
            "printed_at": timezone.now(),
        },
    )


@login_required
def purchase_xlsx(request, window_id):
    window = _staff_window(request, window_id)
    book = exports.workbook(
        exports.purchase_rows(selectors.purchase_orders_of(window)) or [(_("采购单"), [])]
    )
    return exports.xlsx_response(book, f"purchase-{window.pk}.xlsx")


@login_required
@require_POST
def purchase_sent(request, window_id, po_id):
    window = _staff_window(request, window_id)
    po = selectors.get_or_404(window.purchase_orders, pk=po_id)
    try:
        services.purchase_order_mark_sent(actor=request.user, po=po)
        messages.success(request, _("已标记为已发送：%(n)s") % {"n": po.number})
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("market_purchase", window.pk)


# --- receiving ---------------------------------------------------------------------------


def _receiving_context(request, window, **extra) -> dict:
    lines = list(
        PurchaseLine.objects.filter(purchase_order__window=window)
        .select_related("item", "purchase_order__supplier", "received_by")
        .order_by("purchase_order__supplier__name", "item__sort", "item__name")
    )
    return {
        "window": window,
        "market": window.market,
        "lines": lines,
        "recorded": sum(1 for ln in lines if ln.received_qty is not None),
        "opens_at": services.receiving_opens_at(window),
        "is_open": timezone.now() >= services.receiving_opens_at(window),
        "can_operate": can_operate(request.user, window.market),
        "errors": {},
        "line_errors": {},
        **extra,
    }


@login_required
def receiving(request, window_id):
    window = _staff_window(request, window_id)
    return render(request, "market/console_receiving.html", _receiving_context(request, window))


@login_required
@require_POST
def receiving_line(request, window_id, line_id):
    window = _staff_window(request, window_id)
    line = selectors.get_or_404(
        PurchaseLine.objects.filter(purchase_order__window=window).select_related(
            "item", "purchase_order__supplier"
        ),
        pk=line_id,
    )
    errors = {}
    try:
        services.receive_line(
            actor=request.user,
            line=line,
            received_qty=request.POST.get("received_qty", ""),
            rejected_qty=request.POST.get("rejected_qty") or "0",
            reason=request.POST.get("reject_reason", ""),
        )
    except (ValidationError, Conflict) as exc:
        errors = errors_of(exc)
        line.refresh_from_db()
    return render(
        request,
        "market/_receiving_row.html",
        {
            "line": line,
            "window": window,
            "errors": errors,
            "post": request.POST if errors else {},
            "saved": not errors,
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def receiving_finish(request, window_id):
    window = _staff_window(request, window_id)
    try:
        result = services.receiving_finish(actor=request.user, window=window)
    except (ValidationError, Conflict) as exc:
        messages.error(request, " ".join(m for ms in errors_of(exc).values() for m in ms))
        return redirect("market_receiving", window.pk)
    if result["orders_adjusted"]:
        messages.success(
            request,
            _("验收完成。缺货已按「%(rule)s」分配，调整了 %(n)s 个订单并已通知住户。")
            % {"rule": window.market.get_shortage_rule_display(), "n": result["orders_adjusted"]},
        )
    else:
        messages.success(request, _("验收完成，全部足额，可以开始分拣。"))
    return redirect("market_window", window.pk)


# --- pick lists, labels, sorting --------------------------------------------------------


def _bag_url(request):
    return lambda order: request.build_absolute_uri(reverse("market_bag", args=[order.code]))


def _building_filter(request):
    return int_or_none(request.GET.get("building"))


@login_required
def picklists(request, window_id):
    window = _staff_window(request, window_id)
    return render(
        request,
        "market/print_picklists.html",
        {
            "window": window,
            "picklists": selectors.pick_lists(window, building_id=_building_filter(request)),
            "printed_at": timezone.now(),
        },
    )


@login_required
def labels(request, window_id):
    window = _staff_window(request, window_id)
    to_url = _bag_url(request)
    bags = [
        {
            "order": o,
            "lines": [ln for ln in o.lines.all() if ln.qty_filled],
            "qr": exports.qr_svg(to_url(o)),
        }
        for o in selectors.bags(window, building_id=_building_filter(request))
    ]
    return render(request, "market/print_labels.html", {"window": window, "bags": bags})


@login_required
def bags_xlsx(request, window_id):
    window = _staff_window(request, window_id)
    sheets = exports.bag_rows(
        selectors.pick_lists(window, building_id=_building_filter(request)), _bag_url(request)
    )
    return exports.xlsx_response(exports.workbook(sheets), f"bags-{window.pk}.xlsx")


@login_required
def sorting(request, window_id):
    window = _staff_window(request, window_id)
    board = selectors.sorting_board(window)
    building_id = _building_filter(request)
    context = {
        "window": window,
        "board": board,
        "total": sum(b["total"] for b in board),
        "packed": sum(b["packed"] for b in board),
        "building_id": building_id,
        "can_pack": can_operate(request.user, window.market),
        "ready": window.status in (WindowStatus.RECEIVED, WindowStatus.PACKED),
    }
    if building_id:
        context["bags"] = list(selectors.bags(window, building_id=building_id))
    template = (
        "market/_board.html"
        if request.htmx and request.GET.get("part") == "board"
        else "market/console_sorting.html"
    )
    return render(request, template, context)


def _bag_action(request, pk, action):
    order = _staff_order(request, pk)
    try:
        action(actor=request.user, order=order)
    except Conflict as exc:
        return render(request, "market/_refusal.html", {"errors": errors_of(exc)}, status=422)
    order.refresh_from_db()
    return render(request, "market/_bag_row.html", {"order": order, "can_pack": True})


@login_required
@require_POST
def bag_pack(request, pk):
    return _bag_action(request, pk, services.bag_pack)


@login_required
@require_POST
def bag_unpack(request, pk):
    return _bag_action(request, pk, services.bag_unpack)


@login_required
@require_POST
def bag_hand_over(request, pk):
    return _bag_action(request, pk, services.bag_hand_over)


@login_required
def bag(request, code):
    """What a label's QR code opens on a staff phone: the bag and its buttons
    (with "确认送达" for a courier; a courier who cannot see the market's
    orders goes to the bag on their route)."""
    try:
        order = selectors.get_or_404(selectors.orders_visible_to(request.user), code=code)
    except Http404:
        url = intents.ask("delivery.courier_bag_url", request.user, code)
        if url is None:
            raise
        return redirect(url)
    context = staff_order_context(
        request, order, handoff=intents.ask("delivery.bag_handoff", request.user, order)
    )
    return render(request, "market/console_order.html", context)


# --- report ------------------------------------------------------------------------------


@login_required
def report(request, window_id):
    window = _staff_window(request, window_id)
    return render(request, "market/console_report.html", selectors.window_report(window))
