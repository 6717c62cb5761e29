"""Time intervals (pure): merge, clip, gaps and the window of a run of nights."""

from calendar import monthrange
from datetime import date, datetime, time, timedelta

from django.utils import timezone


def merge(intervals):
    """Sorted, non-overlapping union of ``(start, end)`` pairs."""
    out = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def clip(intervals, lo, hi):
    return [(max(s, lo), min(e, hi)) for s, e in intervals if min(e, hi) > max(s, lo)]


def gaps_in(window, covered):
    """The parts of ``window`` that the merged ``covered`` intervals leave open."""
    lo, hi = window
    gaps, at = [], lo
    for s, e in merge(clip(covered, lo, hi)):
        if s > at:
            gaps.append((at, s))
        at = max(at, e)
    if at < hi:
        gaps.append((at, hi))
    return gaps


def minutes(intervals) -> float:
    return sum((e - s).total_seconds() for s, e in intervals) / 60


def nights_window(first: date, last: date) -> tuple[datetime, datetime]:
    lo = timezone.make_aware(datetime.combine(first, time(12)))
    hi = timezone.make_aware(datetime.combine(last + timedelta(days=1), time(12)))
    return lo, hi


def month_nights(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])
