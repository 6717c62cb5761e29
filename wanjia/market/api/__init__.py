# ruff: noqa: I001
"""The market API (``/api/v1/market``). Other programs build on these names
and shapes: windows with their offers, and orders placed with an
``Idempotency-Key``.

Errors: 400 no Idempotency-Key; 401 not logged in; 403 wrong role; 404 not
found or not yours (same answer); 409 conflicts with the state of things
(sold out, window closed, already ordered); 422 bad input or a key reused for a
different body.

The operations register on one router (``common.router``) from ``orders``;
the shapes are in ``schemas``."""

from . import orders  # noqa: F401  (registers the operations)
from .common import WRITE_ERRORS, conflicts_as_409, router

__all__ = ["WRITE_ERRORS", "conflicts_as_409", "router"]
