"""What the market answers in the console's search box (``core.search``):
orders the user may see, by order number (whole or its beginning)."""

from django.urls import reverse

from wanjia.core.search import SHOWN, Hit

from . import selectors


def orders(request, q: str):
    code = q.strip().upper()
    if len(code) < 4 or not code.isalnum():
        return [], 0, ""
    found = (
        selectors.orders_visible_to(request.user)
        .filter(code__startswith=code)
        .order_by("-placed_at")
    )
    total = found.count()
    hits = [
        Hit(
            o.code,
            f"{o.household.label} · {o.window.title} · {o.get_status_display()}",
            reverse("market_staff_order", args=[o.pk]),
        )
        for o in found[:SHOWN]
    ]
    return hits, total, ""
