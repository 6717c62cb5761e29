"""The vegetable basket (菜篮子): a fair-price group-buy run by the property
company for the compounds it serves.

A market buys from suppliers, sells catalog items (and bundles of them) in
order windows, and each window ends with purchase orders, receiving, shortage
sharing and one sorted, labelled bag per household.

Money is ``Decimal`` with two places (yuan); quantities a resident orders are
whole units of the item (份/斤/个); quantities bought from a supplier may be
fractional (bundles contain 0.5 kg of something).

One module per part (catalog, windows, orders, purchase); every model is
importable from ``wanjia.market.models`` as Django expects."""

from .catalog import (
    MONEY,
    QTY,
    BundleComponent,
    CatalogItem,
    Category,
    Market,
    ReferencePrice,
    ShortageRule,
    Supplier,
    SupplierItem,
    SupplierKind,
)
from .orders import (
    ORDER_STAGES,
    Fulfilment,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
)
from .purchase import (
    PurchaseLine,
    PurchaseOrder,
    PurchaseStatus,
)
from .windows import (
    Offer,
    OfferSource,
    OrderWindow,
    PickupSlot,
    WindowStatus,
)

__all__ = [
    "ORDER_STAGES",
    "BundleComponent",
    "CatalogItem",
    "Category",
    "Fulfilment",
    "MONEY",
    "Market",
    "Offer",
    "OfferSource",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OrderWindow",
    "Payment",
    "PaymentKind",
    "PickupSlot",
    "PurchaseLine",
    "PurchaseOrder",
    "PurchaseStatus",
    "QTY",
    "ReferencePrice",
    "ShortageRule",
    "Supplier",
    "SupplierItem",
    "SupplierKind",
    "WindowStatus",
]
