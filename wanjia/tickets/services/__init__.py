"""Every write of the tickets app (keyword-only, ``actor=``, audited)."""

from wanjia.core.errors import Invalid

from .categories import DEFAULTS, categories_ensure, category_save
from .sweep import tickets_sweep
from .tickets import (
    DAILY_LIMIT,
    Duplicate,
    open_for_app,
    pick_assignee,
    ticket_accept,
    ticket_assign,
    ticket_cancel,
    ticket_done,
    ticket_follow,
    ticket_open,
    ticket_rate,
    ticket_start,
    ticket_visit,
)

__all__ = [
    "Invalid",
    "DAILY_LIMIT",
    "DEFAULTS",
    "Duplicate",
    "categories_ensure",
    "category_save",
    "open_for_app",
    "pick_assignee",
    "ticket_accept",
    "ticket_assign",
    "ticket_cancel",
    "ticket_done",
    "ticket_follow",
    "ticket_open",
    "ticket_rate",
    "ticket_start",
    "ticket_visit",
    "tickets_sweep",
]
