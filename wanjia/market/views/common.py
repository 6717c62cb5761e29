"""What the market's pages share: reading an order form, turning a refusal
into a message beside the field, and the order form's context."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.errors import errors_of as kernel_errors_of

from .. import selectors
from ..models import Fulfilment
from ..services import LineIn, contactless_only


def errors_of(exc: Exception) -> dict:
    """{field: [messages]} from a ValidationError or a refusal (these templates
    read whole-form errors under "__all__")."""
    return kernel_errors_of(exc, all_key="__all__")


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def lines_from_post(post, offers) -> list[LineIn]:
    """``qty_<offer id>`` fields → lines (zero and blank quantities left out).
    A quantity that is not a whole number is a field error on that offer."""
    lines = []
    for offer in offers:
        raw = (post.get(f"qty_{offer.pk}") or "").strip()
        if raw in ("", "0"):
            continue
        qty = int_or_none(raw)
        if qty is None or qty < 0:
            raise ValidationError({f"qty_{offer.pk}": _("数量应为整数。")})
        lines.append(LineIn(offer=offer.pk, qty=qty))
    return lines


def form_payload(post, offers) -> dict:
    """The order form as a stable dict, for the idempotency fingerprint."""
    return {
        "lines": {str(o.pk): (post.get(f"qty_{o.pk}") or "").strip() for o in offers},
        "fulfilment": post.get("fulfilment", ""),
        "slot": post.get("slot", ""),
        "note": post.get("note", "").strip(),
        "household": post.get("household", ""),
    }


def cart_of(post, offers) -> dict:
    """What the cart bar shows while the resident picks: lines, total, any
    quantity over the limit (the server re-checks everything on placing)."""
    rows, total, problems = [], Decimal("0.00"), []
    for offer in offers:
        qty = int_or_none(post.get(f"qty_{offer.pk}")) or 0
        if qty <= 0:
            continue
        if qty > offer.limit_per_household:
            problems.append(offer)
        rows.append({"offer": offer, "qty": qty, "amount": offer.price * qty})
        total += offer.price * qty
    return {
        "rows": rows,
        "total": total,
        "count": sum(r["qty"] for r in rows),
        "problems": problems,
    }


def order_form_context(window, *, household, order=None, post=None, errors=None) -> dict:
    """Context for ``market/_order_form.html`` (resident and 代下单 alike)."""
    offers = list(selectors.offers_of(window))
    if post is None:
        qty = {ln.offer_id: ln.qty for ln in order.lines.all()} if order else {}
        fulfilment = order.fulfilment if order else Fulfilment.DOOR
        slot_id = order.slot_id if order else None
        note = order.note if order else ""
    else:
        qty = {o.pk: int_or_none(post.get(f"qty_{o.pk}")) or 0 for o in offers}
        fulfilment = post.get("fulfilment") or Fulfilment.DOOR
        slot_id = int_or_none(post.get("slot"))
        note = post.get("note", "")
    return {
        "window": window,
        "household": household,
        "order": order,
        "offers": [
            {"offer": o, "qty": qty.get(o.pk, 0), "error": (errors or {}).get(f"qty_{o.pk}")}
            for o in offers
        ],
        "slots": list(window.slots.all()),
        "contactless_only": contactless_only(household.compound_id),
        "fulfilment": fulfilment,
        "slot_id": slot_id,
        "note": note,
        "errors": errors or {},
        "idem": (post or {}).get("idem") or uuid.uuid4().hex,
        "cart": cart_of(post or {f"qty_{k}": v for k, v in qty.items()}, offers),
        "now": timezone.now(),
    }
