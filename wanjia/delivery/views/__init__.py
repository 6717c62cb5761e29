"""Delivery pages (URL names in ``delivery/urls.py``)."""

from .couriers import courier_edit, couriers
from .handoff import (
    bag_handoff,
    confirm,
    courier_bag_url,
    fail,
    mine,
    photo,
    resident_delivery,
    route,
    scan,
)
from .planning import board, home, plan, plan_map, sheets, window

__all__ = [
    "bag_handoff",
    "board",
    "confirm",
    "courier_bag_url",
    "courier_edit",
    "couriers",
    "fail",
    "home",
    "mine",
    "photo",
    "resident_delivery",
    "plan",
    "plan_map",
    "route",
    "scan",
    "sheets",
    "window",
]
