"""A kept booking as a rateable subject (好差评), registered with the kernel
from ``apps.py``: a booking of one of the caller's households that the
service marked attended (the haircut given, the masks or the print handed
over, the trip taken), finished when it was marked (``marked_at``). A booking
that is live, cancelled or missed exists but is not rateable."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.rateables import Subject, households_of

from .models import Booking, Status


def _bookings(household_ids):
    return Booking.objects.filter(household_id__in=household_ids).select_related(
        "compound", "service", "slot"
    )


def _subject(booking: Booking) -> Subject:
    kept = booking.status == Status.ATTENDED and booking.marked_at is not None
    return Subject(
        kind="booking",
        id=booking.pk,
        label=_("便民服务 %(name)s %(day)s")
        % {
            "name": booking.service.name,
            "day": timezone.localtime(booking.slot.starts_at).strftime("%m-%d"),
        },
        url=reverse("conv_h5_service", args=[booking.service_id]),
        compound_id=booking.compound_id,
        company_id=booking.compound.company_id,
        household_id=booking.household_id,
        finished_at=booking.marked_at if kept else None,
    )


def find_booking(user, pk: int) -> Subject | None:
    booking = _bookings(households_of(user)).filter(pk=pk).first()
    return _subject(booking) if booking is not None else None


def recent_bookings(household_ids, since) -> list[Subject]:
    rows = _bookings(household_ids).filter(status=Status.ATTENDED, marked_at__gte=since)
    return [_subject(b) for b in rows.order_by("-marked_at")[:50]]
