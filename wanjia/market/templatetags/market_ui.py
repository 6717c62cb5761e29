"""Small template helpers for the market's pages."""

from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def get(mapping, key):
    """``errors|get:"price"`` → that field's messages (or None)."""
    if not mapping:
        return None
    try:
        return mapping.get(str(key))
    except AttributeError:
        return None


@register.filter
def yuan(value) -> str:
    """¥3.50; blank for None."""
    if value is None or value == "":
        return ""
    return f"¥{Decimal(value):.2f}"


@register.filter
def qty(value) -> str:
    """1.00 → 1, 0.50 → 0.5 (purchase quantities are Decimals)."""
    if value is None:
        return ""
    shown = f"{Decimal(value):f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


@register.simple_tag
def field_errors(errors, name):
    """The messages for one field, each in a ``field-error`` span."""
    messages = (errors or {}).get(name) or []
    return format_html_join(
        "", '<span class="field-error" role="alert">{}</span>', ((m,) for m in messages)
    )


@register.simple_tag
def form_errors(errors):
    """Messages not tied to a field on the page (``__all__`` and friends)."""
    messages = (errors or {}).get("__all__") or []
    if not messages:
        return ""
    return format_html('<p class="error" role="alert">{}</p>', " ".join(str(m) for m in messages))


PHASES = {
    "draft": ("", _("草稿")),
    "scheduled": ("", _("未开始")),
    "open": ("st-due", _("接单中")),
    "closing": ("st-overdue", _("截单中")),
    "closed": ("st-due", _("已截单 · 待验收")),
    "received": ("st-due", _("已验收 · 分拣中")),
    "packed": ("st-done", _("已分拣完成")),
}


@register.simple_tag
def phase_pill(phase: str):
    css, label = PHASES.get(phase, ("", phase))
    return format_html('<span class="status-pill {}">{}</span>', css, label)


@register.simple_tag(takes_context=True)
def may_order_for(context, window) -> bool:
    """The 代下单 tab shows only where its page opens."""
    from wanjia.market.selectors import may_order_for as allowed

    return allowed(context["request"].user, window)
