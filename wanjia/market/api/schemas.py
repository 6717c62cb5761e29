"""The shapes the market endpoints read and answer."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from wanjia.core.schemas import (
    Id,
    InputSchema,
    Int,
    Text,
)

from .. import selectors

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
    status: str = Field(..., description="placed / cancelled (the record's state)")
    stage: str = Field(
        ...,
        description="where the order stands, as the pages show it: "
        "open / preparing / packed / delivered / cancelled",
    )
    status_label: str = Field(
        ..., description="the stage in words, in the request's language, as on the pages"
    )
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
            "stage": order.stage(),
            "status_label": order.stage_label,
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
        lines = selectors.order_lines_queryset(order)
    return sorted(lines, key=lambda ln: ln.offer_id)


class OrderFilter(Schema):
    window: Id | None = Field(None, description="only the orders of this window")
