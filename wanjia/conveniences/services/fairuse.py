"""Fair use: three no-shows within three months suspend a household's booking
for three months (see ``attendance``); what a suspension is and when one is
active."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.errors import Forbidden

from ..models import Suspension

NO_SHOWS_TO_SUSPEND = 3


MONTHS = 3


class Suspended(Forbidden):
    """Booking refused: the household is suspended until ``until`` (a date)."""

    def __init__(self, suspension):
        self.until = timezone.localdate(suspension.ends_at)
        self.suspension = suspension
        super().__init__(
            _("因近三个月内 %(n)s 次预约未到，本户暂停预约至 %(date)s。")
            % {
                "n": len(suspension.no_shows) or NO_SHOWS_TO_SUSPEND,
                "date": self.until.isoformat(),
            },
            field="household",
        )


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day when the
    day does not exist then: 30 Nov + 3 months is 28/29 Feb)."""
    local = timezone.localtime(moment)
    month0 = local.month - 1 + months
    year, month = local.year + month0 // 12, month0 % 12 + 1
    for day in (local.day, 30, 29, 28):
        try:
            return local.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def active_suspension(household, now=None) -> Suspension | None:
    now = now or timezone.now()
    return (
        Suspension.objects.filter(household=household, lifted_at__isnull=True, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )
