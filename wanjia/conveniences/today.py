"""Today's-work cards: staff see the day's bookings, a resident the next one."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.today import Card, today_provider

from . import access, selectors


@today_provider(order=70)
def conveniences_today(user) -> list[Card]:
    cards = []
    if access.serves_anywhere(user):
        counts = selectors.today_count(user)
        if counts["n"]:
            cards.append(
                Card(
                    title=_("今日便民服务预约"),
                    count=counts["n"],
                    url=reverse("conv_home"),
                    detail=_("待登记 %(n)s") % {"n": counts["left"]},
                    status="due" if counts["left"] else "done",
                )
            )
    if access.books_anywhere(user):
        booking = selectors.next_booking(user)
        if booking is not None:
            cards.append(
                Card(
                    title=_("我的下一个预约"),
                    url=reverse("conv_h5_home"),
                    detail=f"{booking.service.name} · {booking.slot.when} · "
                    f"{booking.get_status_display()}",
                    status="due",
                )
            )
    return cards
