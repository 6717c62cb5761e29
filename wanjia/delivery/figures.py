"""Delivery's figure for the regulator (core.figures)."""

from datetime import datetime, time, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from .models import Delivery, DeliveryStatus


def on_time(compound_ids, start, end) -> float | None:
    """无接触配送按时率: of the bags whose plan's deadline fell in [start, end]
    (local dates), the share delivered by that deadline; bags still pending or
    never arranged count as late."""
    tz = timezone.get_current_timezone()
    lo = datetime.combine(start, time.min, tz)
    hi = datetime.combine(end + timedelta(days=1), time.min, tz)
    counts = Delivery.objects.filter(
        compound_id__in=compound_ids, plan__deadline_at__gte=lo, plan__deadline_at__lt=hi
    ).aggregate(
        n=Count("id"),
        ok=Count(
            "id",
            filter=Q(status=DeliveryStatus.DELIVERED, delivered_at__lte=F("plan__deadline_at")),
        ),
    )
    return round(counts["ok"] / counts["n"], 4) if counts["n"] else None
