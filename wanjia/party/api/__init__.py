# ruff: noqa: I001
"""Party endpoints under /api/v1/party: coverage, branches, members,
responsibilities, teams and activities.

The operations register on one router (``common.router``); importing the
modules below, in this order, registers them in the order of the API docs."""

from . import members  # noqa: F401
from . import teams  # noqa: F401
from .common import party_compound, router

__all__ = ["party_compound", "router"]
