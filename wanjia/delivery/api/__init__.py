"""The delivery API (``/api/v1/delivery``): couriers, planning as a background
job, routes and the live board, and the courier's hand-off at the door.

Errors, as everywhere under /api/v1: 400 a malformed Idempotency-Key; 401 not
logged in; 403 a role that may not do this (or the courier of another route);
404 missing or outside the caller's scope (the same answer); 409 in conflict
with the state of things (window still open, bag already delivered, plan
replaced); 422 a field is wrong, named in ``errors``."""

from . import couriers, handoff, plans  # noqa: F401  (each registers its operations)
from .common import router

__all__ = ["router"]
