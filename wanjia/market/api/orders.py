"""Market endpoints: windows to order from, and orders (a resident for their own household, staff for one without a phone)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status
from ninja.pagination import paginate

from wanjia.core.idempotency import (
    HEADER,
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
    Once,
)
from wanjia.core.schemas import (
    COMMON_ERRORS,
    ErrorOut,
    Id,
    Paging,
    Rendered,
)
from wanjia.estates.selectors import compounds_visible_to

from .. import selectors, services
from ..access import own_household_ids
from ..models import WindowStatus
from ..services import LineIn
from .common import WRITE_ERRORS, _error, conflicts_as_409, router
from .schemas import OrderChangeIn, OrderFilter, OrderIn, OrderOut, WindowFilter, WindowOut

# --- windows ------------------------------------------------------------------------

# operation ids as published before the router became a package (wanjia.api)
OPERATION_MODULE = "wanjia.market.api"


@router.get("/windows", response={200: list[WindowOut], **COMMON_ERRORS})
@paginate(Paging)
def window_list(request, filters: Query[WindowFilter]):
    """Order windows of the markets serving a compound (all visible ones
    without ``compound``), newest first; drafts only for who manages them."""
    if filters.compound is not None:
        compound = selectors.get_or_404(compounds_visible_to(request.auth), pk=filters.compound)
        windows = selectors.windows_for_compound(request.auth, compound)
    else:
        windows = selectors.windows_visible_to(request.auth)
    return Rendered(selectors.with_slots(windows), WindowOut.of)


@router.get("/windows/{window_id}", response={200: WindowOut, **COMMON_ERRORS})
def window_detail(request, window_id: Id):
    window = selectors.get_or_404(selectors.windows_visible_to(request.auth), pk=window_id)
    return WindowOut.of(window)


# --- orders -------------------------------------------------------------------------


def _window_for_order(user, window_id: int, offer_ids: list):
    """The window to order in, read unscoped with the user's own homes it
    serves and the wanted offers: for a resident whose own home the market
    serves, that home already proves the window is visible, which saves the
    scoped lookup on the hottest path."""
    window = selectors.window_to_order_in(user, window_id, offer_ids)
    if window is None:
        raise Http404
    return window


def _require_visible(user, window) -> None:
    if not selectors.window_is_visible(user, window):
        raise Http404


def _household_for(user, window, requested: int | None):
    """The household an order is for: the one asked for (404 when the user
    may not order for it), else the user's own home served by the window."""
    if requested is not None:
        _require_visible(user, window)
        return selectors.orderable_household(user, requested)
    homes = window.own_homes
    if not homes or window.status == WindowStatus.DRAFT:
        _require_visible(user, window)  # 404 for a window that is not theirs to see
    if not homes:
        if own_household_ids(user) or not selectors.households_orderable_by(user).exists():
            raise PermissionDenied
        raise ValidationError({"household": _("代下单请选择住户。")})
    if len(homes) > 1:
        raise ValidationError({"household": _("您有多处住房，请选择为哪一户下单。")})
    return homes[0]


def _slot(window, slot_id: int | None):
    if slot_id is None:
        return None
    slot = selectors.slot_of(window, slot_id)
    if slot is None:
        raise ValidationError({"slot": _("该自提时段不属于本次订购。")})
    return slot


@router.post(
    "/orders",
    response={201: OrderOut, 400: ErrorOut, **WRITE_ERRORS},
    openapi_extra={
        "parameters": [
            {
                "name": HEADER,
                "in": "header",
                "required": True,
                "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                "description": "A unique value per intended order; a retry with the same "
                "value and body returns the first answer and creates nothing.",
            }
        ]
    },
)
@conflicts_as_409
def order_create(request, payload: OrderIn, response: HttpResponse):
    """Place an order (a resident for their household, staff for a resident: 代下单)."""
    try:
        key = request.headers.get(HEADER)
        window = _window_for_order(request.auth, payload.window, [ln.offer for ln in payload.lines])
        household = _household_for(request.auth, window, payload.household)

        once = Once.of(
            user=request.auth,
            scope="market.order.place",
            key=key,
            payload=payload.model_dump(mode="json"),
        )
        status, body, replayed = services.order_place_once(
            actor=request.auth,
            window=window,
            household=household,
            lines=[LineIn(offer=ln.offer, qty=ln.qty) for ln in payload.lines],
            fulfilment=payload.fulfilment,
            slot=_slot(window, payload.slot),
            note=payload.note,
            once=once,
            answer=lambda order: _as_json(201, OrderOut.of(order))[1],
        )
    except IdempotencyKeyMissing as exc:
        return Status(
            400, _error(str(exc.message), [{"field": HEADER, "message": str(exc.message)}])
        )
    except IdempotencyKeyReused as exc:
        return Status(
            422, _error(str(exc.message), [{"field": HEADER, "message": str(exc.message)}])
        )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, body)


def _as_json(status: int, body: dict) -> tuple[int, dict]:
    """What the idempotency store keeps: the body exactly as the API sends it."""
    return status, OrderOut.model_validate(body).model_dump(mode="json")


@router.get("/orders", response={200: list[OrderOut], **COMMON_ERRORS})
@paginate(Paging)
def order_list(request, filters: Query[OrderFilter]):
    """The orders of the caller's own households, newest first."""
    return Rendered(selectors.my_orders_listed(request.auth, window=filters.window), OrderOut.of)


@router.get("/orders/{order_id}", response={200: OrderOut, **COMMON_ERRORS})
def order_detail(request, order_id: Id):
    order = selectors.get_or_404(selectors.orders_visible_to(request.auth), pk=order_id)
    return OrderOut.of(order)


@router.put("/orders/{order_id}", response={200: OrderOut, **WRITE_ERRORS})
@conflicts_as_409
def order_update(request, order_id: Id, payload: OrderChangeIn):
    """Change an order's lines or how it is fulfilled, until cutoff."""
    order = selectors.get_or_404(selectors.orders_visible_to(request.auth), pk=order_id)
    order = services.order_change(
        actor=request.auth,
        order=order,
        lines=[LineIn(offer=ln.offer, qty=ln.qty) for ln in payload.lines],
        fulfilment=payload.fulfilment,
        slot=_slot(order.window, payload.slot),
        note=payload.note,
    )
    return OrderOut.of(order)


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, **WRITE_ERRORS})
@conflicts_as_409
def order_cancel(request, order_id: Id):
    """Cancel an order until cutoff; its stock goes back on sale."""
    order = selectors.get_or_404(selectors.orders_visible_to(request.auth), pk=order_id)
    order = services.order_cancel(actor=request.auth, order=order)
    return OrderOut.of(order)
