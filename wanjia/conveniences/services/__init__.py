"""Every write of convenience services (keyword-only, ``actor=``, audited).

Capacity only moves by conditional UPDATEs on the slot row:
``booked = booked + 1 WHERE booked < capacity`` to take a place and
``booked = booked - 1 WHERE booked > 0`` to give one back, in the same
transaction as the booking row. Two households racing for the last seat both
run the UPDATE; the database serialises them on the row and the second finds
``booked = capacity`` and takes nothing (it is waitlisted or refused). A
household racing with itself (a double tap, a retry) is stopped by the partial
unique index on live bookings: the second insert fails and its UPDATE rolls
back with it.

Fair use: three no-shows within three months suspend the household's booking
for three months; cancelling before the cut-off is not a no-show."""

from .attendance import (  # noqa: F401
    _maybe_suspend,  # the demo suspends the household its history earned
    booking_mark,
    booking_printed,
    suspension_lift,
)
from .bookings import (  # noqa: F401
    PRINT_MAX_BYTES,
    PRINT_TYPES,
    booking_cancel,
    booking_change,
    booking_create,
    booking_create_once,
    household_users,
)
from .catalog import (  # noqa: F401
    MAX_SLOTS_PER_RUN,
    service_create,
    service_update,
    slots_generate,
)
from .fairuse import (  # noqa: F401
    MONTHS,
    NO_SHOWS_TO_SUSPEND,
    Suspended,
    active_suspension,
    add_months,
)
