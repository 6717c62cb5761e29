"""Template helpers of disputes: how long a case has left at its level."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


def _span(seconds: float) -> str:
    hours = int(abs(seconds) // 3600)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s小时") % {"h": hours}
    return _("%(m)s分钟") % {"m": max(1, int(abs(seconds) // 60))}


@register.simple_tag
def time_left(case) -> dict:
    """{"status": ""|"due"|"overdue"|"done", "text": ...} for a case card."""
    if case.status in ("resolved", "closed"):
        return {"status": "done", "text": case.get_status_display()}
    seconds = (case.due_at - timezone.now()).total_seconds()
    if seconds < 0:
        return {"status": "overdue", "text": _("已超时%(t)s") % {"t": _span(seconds)}}
    status = "due" if seconds < 86400 else ""
    return {"status": status, "text": _("剩%(t)s") % {"t": _span(seconds)}}


@register.filter
def lookup(mapping, key):
    """``mapping[key]``, 0 when absent (counts by level, by category)."""
    return (mapping or {}).get(key, 0)
