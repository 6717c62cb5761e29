"""Every write to delivery (keyword-only, atomic, with ``actor``, audited)."""

from .couriers import courier_add, courier_update, eligible_staff, eligible_volunteers
from .handoff import (
    bag_code_of,
    deliveries_for_scan,
    delivery_confirm,
    delivery_fail,
    delivery_handed_at_market,
)
from .planning import default_times, plan_request, plan_run

__all__ = [
    "bag_code_of",
    "courier_add",
    "courier_update",
    "default_times",
    "deliveries_for_scan",
    "delivery_confirm",
    "delivery_handed_at_market",
    "delivery_fail",
    "eligible_staff",
    "eligible_volunteers",
    "plan_request",
    "plan_run",
]
