# ruff: noqa: I001
"""Disputes endpoints under /api/v1/disputes. Handlers parse, fetch through a
scoped selector (outside scope → 404), call one service (wrong role → 403).

The operations register on one router (``common.router``); importing the
modules below, in this order, registers cases, stats, sweeps and policy."""

# The order of these imports is the order of the operations in the API docs.
from . import cases  # noqa: F401, I001
from . import stats  # noqa: F401
from . import sweeps  # noqa: F401
from . import policy  # noqa: F401
from .common import MAX_PARTIES, case_detail_out, case_out, router
from .stats import figure_scope

__all__ = ["MAX_PARTIES", "case_detail_out", "case_out", "figure_scope", "router"]
