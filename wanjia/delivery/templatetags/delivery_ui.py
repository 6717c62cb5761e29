"""The one label of a plan and its run, for every delivery page."""

from django import template
from django.utils.html import format_html

from ..selectors import run_state

register = template.Library()


@register.simple_tag
def run_status(plan, delivered=None):
    """``{% run_status plan %}`` or, where the delivered count is known,
    ``{% run_status plan delivered %}``."""
    css, label = run_state(plan, None if delivered in ("", None) else int(delivered))
    return format_html('<span class="status-pill {}">{}</span>', css, label)
