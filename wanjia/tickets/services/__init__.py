"""Every write of the tickets app (keyword-only, ``actor=``, audited): the
ticket's life — ``opening`` (reported, limited, duplicates followed), ``flow``
(accepted → assigned → started → done → rated → return visit → closed, each
one conditional UPDATE on the status it leaves), ``notices`` (who works it,
who is told), ``sweep`` (warnings, escalations, auto-close), ``categories``."""

from wanjia.core.errors import Invalid

from .categories import DEFAULTS, categories_ensure, category_save
from .flow import (
    ticket_accept,
    ticket_assign,
    ticket_cancel,
    ticket_done,
    ticket_rate,
    ticket_start,
    ticket_visit,
)
from .notices import pick_assignee
from .opening import DAILY_LIMIT, Duplicate, open_for_app, ticket_follow, ticket_open
from .sweep import tickets_sweep

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
