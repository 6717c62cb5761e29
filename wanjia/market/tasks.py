"""Periodic jobs of the market (Huey).

The cutoff runs every minute and closes each window whose ``closes_at`` has
passed: the close is a conditional UPDATE on the window's status, so two
consumers (or a manager's early close) running it at once close it once. The
aggregation runs inside that same transaction, synchronously: 5,000 orders
take well under a second (``bench/bench_market.py``), so it needs no progress
bar."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import window_close, windows_due_for_cutoff

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def cutoff_due_windows() -> int:
    """Close every window past its cutoff and build its purchase orders."""
    closed = 0
    for window in windows_due_for_cutoff():
        try:
            closed += window_close(actor=None, window=window)
        except Exception:  # one bad window must not stop the others' cutoff
            log.exception("market cutoff failed for window %s", window.pk)
    return closed
