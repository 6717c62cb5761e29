"""The shifts of a patrol roster and the rules per role.

Wanjia's shifts: 早班 06:00–14:00, 中班 14:00–22:00, 夜班 22:00–06:00 (the
night matches the rounds of the schedules, 22:00–06:00). Default cover: one on
the early and the late shift, two at night, and every shift has at least one
guard (a volunteer is never the only one on duty). Guards: 48 h in any 7 days,
at most 3 nights in a row; volunteers: 16 h in any 7 days, 2 nights in a row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy

from wanjia import rostering as engine

from ...models import TeamRole

JOB_KIND = "patrol.roster"
TASK = "wanjia.patrol.tasks.build_roster"
SOLVE_SECONDS = 10.0


@dataclass(frozen=True)
class ShiftDef:
    key: str
    label: object  # a lazy translation
    short: object
    start: time
    hours: int
    is_night: bool = False

    @property
    def engine(self) -> engine.Shift:
        minute = self.start.hour * 60 + self.start.minute
        return engine.Shift(self.key, minute, self.hours * 60, self.is_night)

    def times(self, day: date) -> tuple[datetime, datetime]:
        start = timezone.make_aware(datetime.combine(day, self.start))
        return start, start + timedelta(hours=self.hours)


SHIFTS = (
    ShiftDef("day", gettext_lazy("早班"), gettext_lazy("早"), time(6), 8),
    ShiftDef("evening", gettext_lazy("中班"), gettext_lazy("中"), time(14), 8),
    ShiftDef("night", gettext_lazy("夜班"), gettext_lazy("夜"), time(22), 8, is_night=True),
)
SHIFT_BY_KEY = {s.key: s for s in SHIFTS}
COVER = {"day": 1, "evening": 1, "night": 2}
ROLE_COVER = {("day", "guard"): 1, ("evening", "guard"): 1, ("night", "guard"): 1}
LIMITS = {  # role -> (weekly hours cap, max consecutive nights)
    TeamRole.GUARD: (48, 3),
    TeamRole.VOLUNTEER: (16, 2),
}

WEEKDAYS = (
    (1, gettext_lazy("星期一")),
    (2, gettext_lazy("星期二")),
    (3, gettext_lazy("星期三")),
    (4, gettext_lazy("星期四")),
    (5, gettext_lazy("星期五")),
    (6, gettext_lazy("星期六")),
    (7, gettext_lazy("星期日")),
)
WHOLE_DAY = engine.WHOLE_DAY


def shift_label(key) -> str:
    s = SHIFT_BY_KEY.get(key)
    return str(s.label) if s else str(key or "")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def tonight(now: datetime | None = None) -> date:
    """The date of the night shift not yet over: before 06:00 it is the one
    that started last evening."""
    local = timezone.localtime(now or timezone.now())
    night_end = SHIFT_BY_KEY["night"].start.hour + SHIFT_BY_KEY["night"].hours - 24
    return local.date() - timedelta(days=1) if local.hour < night_end else local.date()
