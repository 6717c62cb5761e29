"""The ticket's clock, one rule for everyone: the page a resident reads, the
staff queue and the regulator's figures all call these functions, so the
resident sees the same "met / missed" the regulator counts.

- response: met when accepted by ``respond_by``; missed once ``respond_by`` has
  passed without acceptance; not yet decided before that.
- completion: met when first done by ``finish_by`` (a reopened ticket keeps
  its first completion: the fix deadline of a return visit is a second clock,
  shown but not counted twice); missed once ``finish_by`` passed undone.
- a withdrawn ticket counts for neither."""

from datetime import timedelta

WARN_SHARE = 0.25  # warn when a quarter of the window is left…
WARN_CAP = timedelta(hours=4)  # …but never more than four hours ahead


def met(target, reached, status: str, now) -> bool | None:
    if status == "cancelled" or target is None:
        return None
    if reached is not None:
        return reached <= target
    return False if now > target else None


def respond_met(t, now) -> bool | None:
    return met(t.respond_by, t.accepted_at, t.status, now)


def finish_met(t, now) -> bool | None:
    return met(t.finish_by, t.first_done_at, t.status, now)


def fix_met(t, now) -> bool | None:
    if t.fix_by is None:
        return None
    return met(t.fix_by, t.done_at if t.status in ("done", "closed") else None, t.status, now)


def warn_at(start, target):
    """When the warning for ``target`` goes out."""
    lead = min((target - start) * WARN_SHARE, WARN_CAP)
    return target - lead
