"""Market floor pages: purchase orders, receiving, pick lists, labels, sorting and bags, and the window report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core import intents

from .. import exports, selectors, services
from ..access import can_manage, can_operate
from ..errors import Conflict
from ..models import WindowStatus
from .common import errors_of, int_or_none
from .floor_common import _staff_window
from .floor_orders import _staff_order, staff_order_context

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
    lines = selectors.receiving_lines(window)
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
    line = selectors.receiving_line(window, line_id)
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
