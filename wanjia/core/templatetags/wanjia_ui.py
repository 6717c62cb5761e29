"""Template helpers for the shells: inline SVG icons (no icon font, no CDN),
personal-data masks, ages and status labels."""

from datetime import date

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from wanjia.core import pii
from wanjia.core.audit import action_label as _action_label

register = template.Library()

# 24×24 outline icons drawn with currentColor, so they follow the text colour.
ICONS: dict[str, str] = {
    "home": "M3 11l9-8 9 8M5 10v10h5v-6h4v6h5V10",
    "services": "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z",
    "inbox": "M4 5h16v11H9l-5 4z",
    "me": "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4 4-6 8-6s8 2 8 6",
    "building": "M4 21V4h10v17M14 9h6v12M7 8h1M10 8h1M7 12h1M10 12h1M7 16h1M10 16h1M2 21h20",
    "search": "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM21 21l-5-5",
    "audit": "M9 6h11M9 12h11M9 18h11M4 6h.01M4 12h.01M4 18h.01",
    "chart": "M4 20V11M10 20V4M16 20v-8M2 20h20",
    "users": "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21c0-4 3-6 7-6s7 2 7 6M16 3.5a4 4 0 0 1 0 7.5M18 15c2.5.5 4 2.5 4 6",
    "today": "M4 6h16v14H4zM4 10h16M8 3v4M16 3v4",
    "eye": "M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12zM12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
    "plus": "M12 5v14M5 12h14",
    "edit": "M4 20h4L19 9l-4-4L4 16zM13 7l4 4",
    "alert": "M12 3l10 18H2zM12 10v5M12 18h.01",
    "check": "M5 12l5 5 9-10",
    "logout": "M10 4H5v16h5M15 8l4 4-4 4M19 12H9",
    "globe": "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18",
    "elder": "M3 7V5h10v2M8 5v14M6 19h4M14 12v-1h7v1M17.5 11v8M16 19h3",
    "chevron": "M9 6l6 6-6 6",
    "back": "M15 6l-6 6 6 6",
    "phone": "M5 4h4l2 5-3 2a11 11 0 0 0 5 5l2-3 5 2v4a2 2 0 0 1-2 2A17 17 0 0 1 3 6a2 2 0 0 1 2-2",
    "heart": "M12 20s-8-5-8-11a4.5 4.5 0 0 1 8-2.5A4.5 4.5 0 0 1 20 9c0 6-8 11-8 11z",
    "flag": "M5 21V4M5 4h12l-2 4 2 4H5",
    "lock": "M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4",
    "pin": "M12 21s7-6 7-12a7 7 0 0 0-14 0c0 6 7 12 7 12zM12 11a2 2 0 1 0 0-4 2 2 0 0 0 0 4z",
    "print": "M6 9V3h12v6M6 18H3v-8h18v8h-3M6 14h12v7H6z",
    "filter": "M3 5h18l-7 8v6l-4 2v-8z",
    "download": "M12 4v11M7 10l5 5 5-5M4 20h16",
    "upload": "M12 20V9M7 14l5-5 5 5M4 4h16",
}


@register.simple_tag
def icon(name: str, label: str = "", size: int = 20):
    """An inline SVG icon. ``name`` is a key of ICONS or raw path data (what a
    module's ServiceLink may carry); anything else is shown as a short text mark.
    Icons are decorative unless a ``label`` is given for screen readers."""
    path = ICONS.get(name) or (name if name[:1] in ("M", "m") else "")
    if not path:
        return format_html('<span class="icon-text" aria-hidden="true">{}</span>', name[:2])
    aria = (
        format_html('role="img" aria-label="{}"', label)
        if label
        else mark_safe('aria-hidden="true"')
    )
    return format_html(
        '<svg class="icon" width="{}" height="{}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" '
        'stroke-linejoin="round" {}><path d="{}"/></svg>',
        size,
        size,
        aria,
        path,
    )


@register.filter
def mask_phone(value: str) -> str:
    return pii.mask_phone(value or "")


@register.filter
def mask_id(value: str) -> str:
    return pii.mask_id_number(value or "")


@register.filter
def age(birth: date | None):
    """Whole years since ``birth`` (local today), or "" when unknown."""
    if not birth:
        return ""
    today = timezone.localdate()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


STATUS_LABELS = {
    "done": _("已完成"),
    "due": _("待处理"),
    "overdue": _("需立即处理"),
}


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, "")


@register.simple_tag
def party_badge():
    """The 党员 badge shown where a member's identity is shown by choice."""
    return format_html('<span class="badge-party" title="{}">{}</span>', _("党员"), _("党员"))


@register.filter
def pretty_json(value) -> str:
    """A compact one-line view of an audit detail."""
    if not value:
        return ""
    if isinstance(value, dict):
        return escape("; ".join(f"{k}={v}" for k, v in value.items()))
    return escape(str(value))


@register.filter
def action_label(code: str) -> str:
    """An audit action code as the phrase its app registered ("下单")."""
    return _action_label(code)


@register.simple_tag(takes_context=True)
def panels(context, slot: str, obj):
    """What other apps add to this page's ``slot`` for ``obj`` (core.panels)."""
    from wanjia.core.panels import render_panels

    return render_panels(slot, context["request"], obj)


@register.filter
def figure_value(value, kind: str) -> str:
    """A registered figure's value as a person reads it (core.figures kinds)."""
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils.formats import get_format, number_format
    from django.utils.translation import gettext as _

    if value is None:
        return "—"
    if kind == "ratio":
        return f"{number_format(value * 100, 1)}%"
    if kind == "minutes":
        return _("%(n)s 分钟") % {"n": number_format(value, 0)}
    if kind == "hours":
        return _("%(n)s 小时") % {"n": number_format(value, 1)}
    if kind == "days":
        return _("%(n)s 天") % {"n": number_format(value, 1)}
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a count read back from a float column (the rollups)
    if isinstance(value, int):
        # what intcomma gives, without its regex and per-call locale lookups:
        # the regulator's home formats some four hundred counts a visit
        return f"{value:,}".replace(",", get_format("THOUSAND_SEPARATOR"))
    return intcomma(value)
