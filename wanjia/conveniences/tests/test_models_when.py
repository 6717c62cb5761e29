"""How a slot's time reads on a resident's card and pages."""

from datetime import datetime

from django.utils import timezone

from wanjia.conveniences.models import Slot


def _slot(start: datetime, end: datetime) -> Slot:
    tz = timezone.get_current_timezone()
    return Slot(starts_at=start.replace(tzinfo=tz), ends_at=end.replace(tzinfo=tz))


def test_a_time_slot_reads_as_its_day_and_time():
    assert _slot(datetime(2026, 12, 5, 9, 15), datetime(2026, 12, 5, 9, 30)).when == "12-05 09:15"


def test_a_weeks_handout_reads_as_its_days_not_midnight():
    week = _slot(datetime(2026, 11, 30), datetime(2026, 12, 7))
    assert week.when == "11-30–12-06"
    assert "00:00" not in week.when
