"""Every scoped read of convenience services. Anyone with a membership in a
compound sees its services and how many places are left; a household sees
its own bookings; staff and managers see the compound's bookings."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import rows
from wanjia.core.models import Compound
from wanjia.core.roles import CAPABILITIES, Role
from wanjia.core.scoping import NOT_FOUND, get_or_404, memberships_of, scope_q, sees_compound
from wanjia.estates.models import Household

from .models import LIVE, Booking, Kind, Service, Slot, Status, Suspension

__all__ = ["get_or_404"]


MAX_ID = 2**62


def as_id(raw) -> int | None:
    """An id typed or posted by hand, or None (never an int no column holds)."""
    raw = str(raw or "").strip()
    if not raw.isdigit() or len(raw) > 18:
        return None
    value = int(raw)
    return value if 0 < value < MAX_ID else None


def plausible(day: date) -> bool:
    """A date a page may show (a typed 9999-12-31 would overflow the day's end)."""
    return date(2000, 1, 1) <= day <= date(2999, 12, 31)


def booking_of(user, pk: int):
    return bookings_visible_to(user).filter(pk=pk).first()


def _bounds(day: date) -> tuple[datetime, datetime]:
    lo = timezone.make_aware(datetime.combine(day, time(0)))
    return lo, timezone.make_aware(datetime.combine(day + timedelta(days=1), time(0)))


def compounds_for(user, action: str = "conveniences.serve"):
    return Compound.objects.filter(
        scope_q(user, roles=CAPABILITIES[action], compound="id")
    ).order_by("code")


def compounds_seen(user):
    return Compound.objects.filter(scope_q(user, compound="id"))


def services_visible_to(user):
    return Service.objects.filter(scope_q(user, compound="compound_id")).select_related("compound")


def services_of(user, compound, *, active_only: bool = True):
    qs = services_visible_to(user).filter(compound=compound)
    return qs.filter(active=True) if active_only else qs


def slots_visible_to(user):
    return Slot.objects.filter(scope_q(user, compound="compound_id")).select_related(
        "service", "compound"
    )


def slot_to_book(user, pk: int) -> Slot:
    """The slot with its service and compound, as ``get_or_404(slots_visible_to
    (user), pk=pk)`` finds it, in one plain statement: the ORM's compile of
    that three-table query was half the CPU of a booking
    (bench/bench_bookings.py, bench.peak.profile)."""
    found = rows.select(
        [(Slot, "s"), (Service, "v"), (Compound, "c")],
        f"FROM {Slot._meta.db_table} s JOIN {Service._meta.db_table} v ON v.id = s.service_id"  # noqa: S608 (names are ours)
        f" JOIN {Compound._meta.db_table} c ON c.id = s.compound_id WHERE s.id = %s",
        [pk],
    )
    if not found:
        raise Http404(_(NOT_FOUND))
    slot, slot.service, slot.compound = found[0]
    slot.service.compound = slot.compound
    if not sees_compound(user, slot.compound):
        raise Http404(_(NOT_FOUND))
    return slot


def slots_of_day(service, day: date):
    """The service's slots that overlap ``day`` (a week's handout too)."""
    lo, hi = _bounds(day)
    return Slot.objects.filter(service=service, starts_at__lt=hi, ends_at__gt=lo).order_by(
        "starts_at", "resource", "id"
    )


def open_days(service, now=None, days: int = 7) -> list[date]:
    """The next days with a slot still open to booking (at most ``days``)."""
    now = now or timezone.now()
    starts = (
        Slot.objects.filter(service=service, closes_at__gt=now)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)[:2000]
    )
    found = []
    for s in starts:
        d = max(timezone.localdate(s), timezone.localdate(now))
        if d not in found:
            found.append(d)
        if len(found) >= days:
            break
    return found


def upcoming_slots(service, now=None, days: int = 14):
    now = now or timezone.now()
    return Slot.objects.filter(
        service=service, ends_at__gt=now, starts_at__lt=now + timedelta(days=days)
    ).order_by("starts_at", "resource")


def _booking_rows():
    return Booking.objects.select_related(
        "slot", "service", "household__unit", "household__building", "user", "compound"
    )


def bookings_visible_to(user):
    """A household's own bookings, and the bookings of the compounds where the
    user serves."""
    q = scope_q(user, roles=CAPABILITIES["conveniences.serve"], compound="compound_id") | scope_q(
        user, roles={Role.RESIDENT}, compound="compound_id", household="household_id"
    )
    return _booking_rows().filter(q)


def household_bookings(households, *, now=None, past_days: int = 30):
    now = now or timezone.now()
    return (
        _booking_rows()
        .filter(household__in=households, slot__ends_at__gt=now - timedelta(days=past_days))
        .order_by("slot__starts_at", "id")
    )


def next_booking(user, now=None):
    now = now or timezone.now()
    return (
        bookings_visible_to(user)
        .filter(
            household__in=own_households(user),
            status__in=LIVE,
            slot__ends_at__gt=now,
        )
        .order_by("slot__starts_at", "id")
        .first()
    )


def own_households(user):
    return Household.objects.filter(
        scope_q(user, roles={Role.RESIDENT}, compound="compound_id", household="id")
    ).select_related("compound", "unit", "building")


def own_household_in(user, compound_id: int):
    """The user's own household in the compound (the first, by id), from the
    memberships the request has loaded already: no query on the booking path."""
    homes = [
        m.household
        for m in memberships_of(user)
        if m.role == Role.RESIDENT and m.household and m.household.compound_id == compound_id
    ]
    return min(homes, key=lambda h: h.pk, default=None)


def live_booking_of(households, slot_ids):
    return {
        b.slot_id: b
        for b in Booking.objects.filter(
            household__in=households, slot_id__in=slot_ids, status__in=LIVE
        )
    }


def waitlist_position(booking) -> int:
    return (
        Booking.objects.filter(
            slot_id=booking.slot_id, status=Status.WAITLISTED, id__lte=booking.pk
        ).count()
        if booking.status == Status.WAITLISTED
        else 0
    )


def suspensions_of_households(households, now=None):
    now = now or timezone.now()
    return Suspension.objects.filter(
        household__in=households, lifted_at__isnull=True, ends_at__gt=now
    ).order_by("-ends_at")


def day_roster(compound, day: date, *, kind: str | None = None):
    lo, hi = _bounds(day)
    qs = _booking_rows().filter(
        compound=compound,
        slot__starts_at__lt=hi,
        slot__ends_at__gt=lo,
        status__in=(Status.BOOKED, Status.WAITLISTED, Status.ATTENDED, Status.NO_SHOW),
    )
    if kind:
        qs = qs.filter(service__kind=kind)
    return qs.order_by("service__name", "slot__starts_at", "slot__resource", "status", "id")


def print_queue(compound, days: int = 7, now=None):
    now = now or timezone.now()
    return (
        _booking_rows()
        .filter(
            compound=compound,
            service__kind=Kind.PRINT,
            slot__ends_at__gt=now - timedelta(days=days),
        )
        .exclude(status=Status.CANCELLED)
        .order_by("status", "printed_at", "created_at", "id")
    )


def suspensions_of(compound):
    return (
        Suspension.objects.filter(compound=compound)
        .select_related("household__unit", "household__building", "lifted_by")
        .order_by("lifted_at", "-ends_at", "id")
    )


def suspensions_visible_to(user):
    return Suspension.objects.filter(
        scope_q(user, roles=CAPABILITIES["conveniences.serve"], compound="compound_id")
    ).select_related("compound", "household")


def households_of(compound):
    return (
        Household.objects.filter(compound=compound)
        .select_related("unit", "building")
        .order_by("building__sort", "building__name", "unit__name", "room")
    )


def household_in(compound, pk: int):
    return Household.objects.filter(compound=compound, pk=pk).select_related("compound").first()


def slot_in(compound, pk: int):
    return Slot.objects.filter(compound=compound, pk=pk).select_related("service").first()


def slots_open_in(compound, day: date, now=None):
    now = now or timezone.now()
    lo, hi = _bounds(day)
    return (
        Slot.objects.filter(
            compound=compound,
            starts_at__lt=hi,
            ends_at__gt=lo,
            closes_at__gt=now,
            service__active=True,
        )
        .select_related("service")
        .order_by("service__name", "starts_at", "resource")
    )


def today_count(user, now=None) -> int:
    now = now or timezone.now()
    lo, hi = _bounds(timezone.localdate(now))
    return Booking.objects.filter(
        scope_q(user, roles=CAPABILITIES["conveniences.serve"], compound="compound_id"),
        slot__starts_at__lt=hi,
        slot__ends_at__gt=lo,
        status__in=(Status.BOOKED, Status.ATTENDED, Status.NO_SHOW),
    ).aggregate(n=Count("id"), left=Count("id", filter=Q(status=Status.BOOKED)))


# ---- figures ----------------------------------------------------------------------------


def _period(start: date, end: date):
    lo, _hi = _bounds(start)
    _lo, hi = _bounds(end)
    return lo, hi


def _grouped(groups, start, end, field_filter: Q):
    lo, hi = _period(start, end)
    ids = {c for g in groups for c in g}
    per = dict(
        Booking.objects.filter(
            field_filter, compound_id__in=ids, slot__starts_at__gte=lo, slot__starts_at__lt=hi
        )
        .values("compound_id")
        .annotate(n=Count("id"))
        .values_list("compound_id", "n")
    )
    return per


HELD = Q(status__in=(Status.BOOKED, Status.ATTENDED, Status.NO_SHOW))
JUDGED = Q(status__in=(Status.ATTENDED, Status.NO_SHOW))


def bookings_many(groups, start, end) -> list:
    per = _grouped(groups, start, end, HELD)
    return [sum(per.get(c, 0) for c in g) for g in groups]


def bookings(compound_ids, start, end):
    return bookings_many([list(compound_ids)], start, end)[0]


def no_show_rate_many(groups, start, end) -> list:
    judged = _grouped(groups, start, end, JUDGED)
    missed = _grouped(groups, start, end, Q(status=Status.NO_SHOW))
    out = []
    for g in groups:
        n = sum(judged.get(c, 0) for c in g)
        out.append(round(sum(missed.get(c, 0) for c in g) / n, 4) if n else None)
    return out


def no_show_rate(compound_ids, start, end):
    return no_show_rate_many([list(compound_ids)], start, end)[0]
