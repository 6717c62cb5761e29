"""The figures of tickets, one definition for every page, export and the
regulator's table: counts, response and completion targets met, reopens,
ratings, per category; computed for many groups of compounds at once."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .. import sla
from ..models import Category, Status, Ticket


def _bounds(start: date, end: date):
    lo = timezone.make_aware(datetime.combine(start, time(0)))
    return lo, timezone.make_aware(datetime.combine(end + timedelta(days=1), time(0)))


class _Row:
    __slots__ = (
        "compound_id",
        "code",
        "status",
        "respond_by",
        "accepted_at",
        "finish_by",
        "first_done_at",
        "fix_by",
        "done_at",
        "reopen_count",
        "rating",
    )

    def __init__(self, values):
        for k, v in zip(self.__slots__, values, strict=True):
            setattr(self, k, v)


def _rows_by_compound(groups, start, end) -> dict:
    ids = {i for g in groups for i in g}
    lo, hi = _bounds(start, end)
    found = defaultdict(list)
    rows = Ticket.objects.filter(
        compound_id__in=ids, created_at__gte=lo, created_at__lt=hi
    ).values_list(
        "compound_id",
        "category__code",
        "status",
        "respond_by",
        "accepted_at",
        "finish_by",
        "first_done_at",
        "fix_by",
        "done_at",
        "reopen_count",
        "rating",
    )
    for values in rows:
        found[values[0]].append(_Row(values))
    return found


def _per_group(fn):
    def many(groups, start, end):
        by = _rows_by_compound(groups, start, end)
        now = timezone.now()
        return [fn([r for i in g for r in by.get(i, [])], now) for g in groups]

    def one(ids, start, end):
        return many([list(ids)], start, end)[0]

    return one, many


def _share(values):
    decided = [v for v in values if v is not None]
    return sum(decided) / len(decided) if decided else None


def _count(rows, now):
    return len([r for r in rows if r.status != Status.CANCELLED])


def _by_code(code):
    def fn(rows, now):
        return len([r for r in rows if r.code == code and r.status != Status.CANCELLED])

    return fn


def _respond(rows, now):
    return _share(sla.respond_met(r, now) for r in rows)


def _finish(rows, now):
    return _share(sla.finish_met(r, now) for r in rows)


def _reopen(rows, now):
    done = [r for r in rows if r.first_done_at is not None]
    return sum(1 for r in done if r.reopen_count) / len(done) if done else None


def _rating(rows, now):
    scores = [r.rating for r in rows if r.rating]
    return round(sum(scores) / len(scores), 2) if scores else None


def by_category(code: str):
    return _per_group(_by_code(code))


def category_breakdown(compound, start: date, end: date) -> list[dict]:
    """The compound's tickets per category over [start, end] with each
    category's response and completion met shares (the console's figures)."""
    by = _rows_by_compound([[compound.pk]], start, end).get(compound.pk, [])
    now = timezone.now()
    names = dict(
        Category.objects.filter(company_id=compound.company_id).values_list("code", "name")
    )
    out = []
    for code in sorted(
        {r.code for r in by}, key=lambda c: list(names).index(c) if c in names else 99
    ):
        rows = [r for r in by if r.code == code]
        out.append(
            {
                "code": code,
                "name": names.get(code, code),
                "count": _count(rows, now),
                "respond": _respond(rows, now),
                "finish": _finish(rows, now),
                "rating": _rating(rows, now),
            }
        )
    return out


# each figure answers one group or every group at once (core.figures)
opened, opened_many = _per_group(_count)
respond_rate, respond_rate_many = _per_group(_respond)
finish_rate, finish_rate_many = _per_group(_finish)
reopen_rate, reopen_rate_many = _per_group(_reopen)
avg_rating, avg_rating_many = _per_group(_rating)


def complaints_per_100(compound_ids, start: date, end: date) -> float | None:
    """投诉每百户: tickets of the complaint category (code "complaint") submitted in
    [start, end] per 100 registered households of ``compound_ids``."""
    from wanjia.estates.models import Household

    households = Household.objects.filter(compound_id__in=compound_ids).count()
    if not households:
        return None
    one, _many = by_category("complaint")
    return round(one(compound_ids, start, end) * 100 / households, 2)
