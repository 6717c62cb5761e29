"""Every write to the market (keyword-only, atomic, with ``actor``, audited).

Callers hand in objects fetched through ``selectors`` (so another tenant's
record is already a 404); the services check the role (403) and the rules."""

from .catalog import (
    bundle_set_components,
    fair_price_check,
    item_save,
    market_create,
    market_update,
    pricing_for,
    reference_price_set,
    supplier_item_set,
    supplier_save,
)
from .imports import reference_prices_import
from .orders import (
    LineIn,
    contactless_only,
    order_cancel,
    order_change,
    order_place,
    order_place_once,
)
from .supply import (
    bag_hand_over,
    bag_pack,
    bag_unpack,
    payment_record,
    purchase_order_mark_sent,
    purchase_orders_build,
    receive_line,
    receiving_finish,
    receiving_opens_at,
)
from .windows import (
    offer_remove,
    offer_restock,
    offer_save,
    slot_add,
    window_close,
    window_create,
    window_open,
    windows_due_for_cutoff,
)

__all__ = [
    "LineIn",
    "contactless_only",
    "bag_hand_over",
    "bag_pack",
    "bag_unpack",
    "bundle_set_components",
    "fair_price_check",
    "item_save",
    "market_create",
    "market_update",
    "offer_remove",
    "offer_restock",
    "offer_save",
    "order_cancel",
    "order_change",
    "order_place",
    "order_place_once",
    "payment_record",
    "pricing_for",
    "purchase_order_mark_sent",
    "purchase_orders_build",
    "receive_line",
    "receiving_finish",
    "receiving_opens_at",
    "reference_price_set",
    "reference_prices_import",
    "slot_add",
    "supplier_item_set",
    "supplier_save",
    "window_close",
    "window_create",
    "window_open",
    "windows_due_for_cutoff",
]
