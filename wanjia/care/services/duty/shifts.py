"""The two 12-hour duty shifts and the rules of a duty roster.

白班 08:00–20:00, 夜班 20:00–08:00. Why two and not three: the day shift takes
over at 08:00 the visits made at 06:00 and holds them to the default cut-off
(20:00), which is exactly the handover — so the day's visits have one owner on
duty, and the chains a missed cut-off opens at 20:00 land with the night person
from their first minute. One person per shift (a public-rental compound's duty
desk); 48 h in any 7 days (four 12-hour shifts), at most 3 nights in a row,
never a day shift after a night (8 h rest). So a duty team needs four people
at least."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy

from wanjia import rostering as engine

JOB_KIND = "care.duty"
TASK = "wanjia.care.tasks.build_duty"
SOLVE_SECONDS = 10.0
WEEKLY_HOURS = 48
MAX_NIGHTS = 3


@dataclass(frozen=True)
class ShiftDef:
    key: str
    label: object
    short: object
    start: time
    hours: int
    is_night: bool = False

    @property
    def engine(self) -> engine.Shift:
        return engine.Shift(
            self.key, self.start.hour * 60 + self.start.minute, self.hours * 60, self.is_night
        )

    def times(self, day: date) -> tuple[datetime, datetime]:
        start = timezone.make_aware(datetime.combine(day, self.start))
        return start, start + timedelta(hours=self.hours)

    @property
    def span(self) -> str:
        end = (self.start.hour + self.hours) % 24
        return f"{self.start:%H:%M}–{end:02d}:00"


SHIFTS = (
    ShiftDef("day", gettext_lazy("白班"), gettext_lazy("白"), time(8), 12),
    ShiftDef("night", gettext_lazy("夜班"), gettext_lazy("夜"), time(20), 12, is_night=True),
)
SHIFT_BY_KEY = {s.key: s for s in SHIFTS}
COVER = {"day": 1, "night": 1}


def shift_label(key) -> str:
    s = SHIFT_BY_KEY.get(key)
    return str(s.label) if s else str(key or "")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
