"""The market API (``/api/v1/market``). Other programs build on these names
and shapes: windows with their offers, and orders placed with an
``Idempotency-Key``.

Errors: 400 no Idempotency-Key; 401 not logged in; 403 wrong role; 404 not
found or not yours (same answer); 409 conflicts with the state of things
(sold out, window closed, already ordered); 422 bad input or a key reused for a
different body."""

from datetime import datetime
from decimal import Decimal
from functools import wraps
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wanjia.core.idempotency import (
    HEADER,
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
    idempotent,
)
from wanjia.core.schemas import (
    COMMON_ERRORS,
    ErrorOut,
    Id,
    InputSchema,
    Int,
    Paging,
    Rendered,
    Text,
)
from wanjia.estates.models import Household
from wanjia.estates.selectors import compounds_visible_to

from . import selectors, services
from .access import own_household_ids
from .errors import Conflict
from .models import OrderWindow, WindowStatus
from .services import LineIn

router = Router(tags=["market"])

WRITE_ERRORS = {**COMMON_ERRORS, 409: ErrorOut}


def _error(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "errors": errors or []}


def conflicts_as_409(view):
    """Turn the market's ``Conflict`` into a 409 with the usual error body."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Conflict as exc:
            return Status(409, _error(exc.message, [{"field": exc.field, "message": exc.message}]))

    return wrapper


# --- schemas ------------------------------------------------------------------------


class OfferOut(Schema):
    id: int
    name: str
    unit: str
    spec: str
    is_bundle: bool
    price: Decimal
    reference_price: Decimal
    stock_left: int
    limit_per_household: int

    @staticmethod
    def of(offer) -> dict:
        return {
            "id": offer.pk,
            "name": offer.item.name,
            "unit": offer.item.unit,
            "spec": offer.item.spec,
            "is_bundle": offer.item.is_bundle,
            "price": offer.price,
            "reference_price": offer.reference_price,
            "stock_left": offer.stock_left,
            "limit_per_household": offer.limit_per_household,
        }


class SlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int


class WindowOut(Schema):
    id: int
    market: int
    market_name: str
    title: str
    opens_at: datetime
    closes_at: datetime
    delivery_date: str
    status: str = Field(
        ..., description="draft / scheduled / open / closing / closed / received / packed"
    )
    offers: list[OfferOut]
    slots: list[SlotOut]

    @staticmethod
    def of(window) -> dict:
        return {
            "id": window.pk,
            "market": window.market_id,
            "market_name": window.market.name,
            "title": window.title,
            "opens_at": window.opens_at,
            "closes_at": window.closes_at,
            "delivery_date": window.delivery_date.isoformat(),
            "status": window.phase(),
            "offers": [OfferOut.of(o) for o in selectors.offers_of(window)],
            "slots": [
                {
                    "id": s.pk,
                    "starts_at": s.starts_at,
                    "ends_at": s.ends_at,
                    "capacity": s.capacity,
                    "taken": s.taken,
                }
                for s in window.slots.all()
            ],
        }


class WindowFilter(Schema):
    compound: Id | None = None


class LineSchema(InputSchema):
    offer: Id
    qty: Int(1, 999)


class OrderIn(InputSchema):
    window: Id
    lines: list[LineSchema] = Field(..., min_length=1, max_length=50)
    fulfilment: Literal["door", "pickup"] = "door"
    slot: Id | None = None
    household: Id | None = Field(
        None, description="Needed when ordering for a resident (代下单) or for one of several homes"
    )
    note: Text(200) = ""


class OrderChangeIn(InputSchema):
    lines: list[LineSchema] = Field(..., min_length=1, max_length=50)
    fulfilment: Literal["door", "pickup"] = "door"
    slot: Id | None = None
    note: Text(200) = ""


class LineOut(Schema):
    offer: int
    name: str
    unit: str
    qty: int
    qty_filled: int
    unit_price: Decimal
    amount: Decimal


class OrderOut(Schema):
    id: int
    code: str
    window: int
    household: int
    household_code: str
    status: str
    fulfilment: str
    slot: int | None
    on_behalf: bool
    total: Decimal
    lines: list[LineOut]
    placed_at: datetime
    adjusted: bool

    @staticmethod
    def of(order) -> dict:
        return {
            "id": order.pk,
            "code": order.code,
            "window": order.window_id,
            "household": order.household_id,
            "household_code": order.household.code,
            "status": order.status,
            "fulfilment": order.fulfilment,
            "slot": order.slot_id,
            "on_behalf": order.on_behalf,
            "total": order.total,
            "placed_at": order.placed_at,
            "adjusted": order.adjusted_at is not None,
            "lines": [
                {
                    "offer": ln.offer_id,
                    "name": ln.offer.item.name,
                    "unit": ln.offer.item.unit,
                    "qty": ln.qty,
                    "qty_filled": ln.qty_filled,
                    "unit_price": ln.unit_price,
                    "amount": ln.amount,
                }
                for ln in _lines_of(order)
            ],
        }


def _lines_of(order):
    """The order's lines by offer; just-placed orders carry them already."""
    lines = getattr(order, "placed_lines", None)
    if lines is None:
        lines = order.lines.select_related("offer__item")
    return sorted(lines, key=lambda ln: ln.offer_id)


class OrderFilter(Schema):
    window: Id | None = Field(None, description="only the orders of this window")


# --- windows ------------------------------------------------------------------------


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
    return Rendered(windows.prefetch_related("slots"), WindowOut.of)


@router.get("/windows/{window_id}", response={200: WindowOut, **COMMON_ERRORS})
def window_detail(request, window_id: Id):
    window = selectors.get_or_404(selectors.windows_visible_to(request.auth), pk=window_id)
    return WindowOut.of(window)


# --- orders -------------------------------------------------------------------------


def _window_for_order(user, window_id: int):
    """The window to order in. Fetched alone first: for a resident whose own
    home the market serves, that home already proves the window is visible,
    which saves the scoped lookup on the hottest path."""
    window = (
        OrderWindow.objects.select_related("market", "market__compound")
        .filter(pk=window_id)
        .first()
    )
    if window is None:
        raise Http404
    return window


def _require_visible(user, window) -> None:
    if not selectors.windows_visible_to(user).filter(pk=window.pk).exists():
        raise Http404


def _household_for(user, window, requested: int | None):
    """The household an order is for: the one asked for (404 when the user
    may not order for it), else the user's own home served by the window."""
    if requested is not None:
        _require_visible(user, window)
        orderable = selectors.households_orderable_by(user).select_related("compound")
        return selectors.get_or_404(orderable, pk=requested)
    homes = list(
        Household.objects.filter(pk__in=own_household_ids(user), compound__markets=window.market_id)
        .select_related("compound")
        .distinct()
    )
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
    slot = window.slots.filter(pk=slot_id).first()
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
        window = _window_for_order(request.auth, payload.window)
        household = _household_for(request.auth, window, payload.household)

        def place():
            order = services.order_place(
                actor=request.auth,
                window=window,
                household=household,
                lines=[LineIn(offer=ln.offer, qty=ln.qty) for ln in payload.lines],
                fulfilment=payload.fulfilment,
                slot=_slot(window, payload.slot),
                note=payload.note,
            )
            return 201, OrderOut.of(order)

        status, body, replayed = idempotent(
            user=request.auth,
            scope="market.order.place",
            key=key,
            payload=payload.model_dump(mode="json"),
            run=lambda: _as_json(*place()),
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
    orders = selectors.my_orders(request.auth)
    if filters.window is not None:
        orders = orders.filter(window_id=filters.window)
    return Rendered(orders.order_by("-placed_at", "-id"), OrderOut.of)


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
