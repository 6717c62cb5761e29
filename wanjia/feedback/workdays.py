"""Working days for the unhappy loop's clock: Monday to Friday, less the public
holidays below, plus the weekend days worked in their place (调休). The table
is small and kept by hand each December from the State Council's notice; a year
that is not listed falls back to plain Monday-Friday."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

# public holidays (法定节假日) that fall on a weekday
HOLIDAYS = frozenset(
    date.fromisoformat(d)
    for d in (
        # 2026
        "2026-01-01", "2026-01-02",
        "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23",
        "2026-04-06",
        "2026-05-01", "2026-05-04", "2026-05-05",
        "2026-06-19",
        "2026-09-25",
        "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07",
        # 2027
        "2027-01-01",
        "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12",
        "2027-04-05",
        "2027-05-03", "2027-05-04", "2027-05-05",
        "2027-06-09",
        "2027-09-15",
        "2027-10-01", "2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07",
    )
)  # fmt: skip
# weekend days that are working days (调休上班)
WORKED_WEEKENDS = frozenset(
    date.fromisoformat(d)
    for d in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")
)


def is_working_day(day: date) -> bool:
    if day in WORKED_WEEKENDS:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS


def add_working_days(start: datetime, n: int) -> datetime:
    """The end of the ``n``-th working day after ``start``'s local day: a rating
    given on Friday evening has its return call due by the end of Monday."""
    day = timezone.localtime(start).date()
    left = n
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
