"""Panels: what other apps add to a page they do not own, the way pretix lets
plugins add panels to an order page. The page names a slot and the object it
shows; each app that registered for the slot returns the context for its own
template (or None to show nothing). The page never imports the app, the app
never edits the page's template.

    # delivery/apps.py
    panels.register("market.resident_order", "delivery/_resident.html",
                    resident_order_panel, order=10)
    # market/templates/market/h5_order.html
    {% panels "market.resident_order" order %}

Slots in use: ``estates.household`` (the console's household page),
``market.window`` (the console's order-window page),
``market.resident_order`` (a resident's order page), ``disputes.resident_case`` (a resident's dispute page), ``patrol.run`` (a
patrol round), ``care.person`` (a person on the care list), ``estates.gov_area`` (the
regulator's home, for the region shown). A panel's function takes
``(request, obj)`` and answers a dict (its template's context) or None; it must
do its own permission check (it sees the same ``request.user`` as the page)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    slot: str
    template: str
    context: Callable  # (request, obj) -> dict | None
    order: int = 50


_PANELS: dict[str, list[Panel]] = {}


def register(slot: str, template: str, context: Callable, order: int = 50) -> None:
    """Add a panel to ``slot``. The same template registered again replaces
    the earlier one (``ready`` may run twice in tests)."""
    panels = [p for p in _PANELS.get(slot, []) if p.template != template]
    panels.append(Panel(slot, template, context, order))
    _PANELS[slot] = sorted(panels, key=lambda p: p.order)


def slots() -> dict[str, list[Panel]]:
    return {slot: list(panels) for slot, panels in _PANELS.items()}


def render_panels(slot: str, request, obj) -> SafeString:
    """Every registered panel of ``slot`` that has something to show for
    ``obj``, rendered in order."""
    parts = []
    for panel in _PANELS.get(slot, []):
        ctx = panel.context(request, obj)
        if ctx is not None:
            parts.append((render_to_string(panel.template, ctx, request=request),))
    return format_html_join("", "{}", parts) if parts else SafeString("")
