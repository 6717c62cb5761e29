"""Template helpers of the party layer: percentages and the 党员 badge."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.8333 → "83.3%"; None (nothing to divide by) → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.simple_tag
def badge_if(user_id, badge_ids):
    """The 党员 badge when ``user_id`` is among ``badge_ids`` (from
    ``wanjia.party.selectors.badge_user_ids``: members who show their identity)."""
    if user_id and badge_ids and user_id in badge_ids:
        return format_html('<span class="badge-party" title="{}">{}</span>', _("党员"), _("党员"))
    return ""
