"""Console pages for the work after (and around) the orders: the order list,
ordering for a resident without a phone (代下单), payments on delivery,
purchase orders, receiving from 05:00, pick lists and labels (A4 and Excel),
the sorting board updated from phones, the bag a QR code opens, and the
window's report."""

from .floor_goods import (
    bag,  # noqa: F401  (re-exported)
    bag_hand_over,  # noqa: F401  (re-exported)
    bag_pack,  # noqa: F401  (re-exported)
    bag_unpack,  # noqa: F401  (re-exported)
    bags_xlsx,  # noqa: F401  (re-exported)
    labels,  # noqa: F401  (re-exported)
    picklists,  # noqa: F401  (re-exported)
    purchase,  # noqa: F401  (re-exported)
    purchase_sent,  # noqa: F401  (re-exported)
    purchase_xlsx,  # noqa: F401  (re-exported)
    receiving,  # noqa: F401  (re-exported)
    receiving_finish,  # noqa: F401  (re-exported)
    receiving_line,  # noqa: F401  (re-exported)
    report,  # noqa: F401  (re-exported)
    sorting,  # noqa: F401  (re-exported)
)
from .floor_orders import (
    order_for,  # noqa: F401  (re-exported)
    order_for_place,  # noqa: F401  (re-exported)
    staff_order,  # noqa: F401  (re-exported)
    staff_order_cancel,  # noqa: F401  (re-exported)
    staff_order_context,  # noqa: F401  (re-exported)
    staff_order_pay,  # noqa: F401  (re-exported)
    window_orders,  # noqa: F401  (re-exported)
)
