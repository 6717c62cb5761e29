"""What disputes adds to other apps' pages (``wanjia.core.panels``)."""

from . import selectors

SHOWN = 5


def household_panel(request, household) -> dict | None:
    """On the console's household page: this household's cases the user may
    read (none: no panel)."""
    cases = selectors.household_cases(request.user, household)
    total = cases.count()
    if not total:
        return None
    return {
        "cases": list(cases[:SHOWN]),
        "total": total,
        "open": selectors.open_cases(cases).count(),
    }
