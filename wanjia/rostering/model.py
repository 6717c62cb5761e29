"""The roster's data: problems in, results out (plain dataclasses, no Django)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

Status = Literal["optimal", "feasible", "infeasible", "unknown"]
WHOLE_DAY = "*"  # in Guard.prefers_off: any shift that day


@dataclass(frozen=True)
class Shift:
    """A shift starting ``start_minute`` after midnight of its day; it may run
    past midnight (night 22:00–06:00 is ``Shift("night", 1320, 480, True)``)."""

    key: str
    start_minute: int
    length_minutes: int
    is_night: bool = False

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.length_minutes


@dataclass(frozen=True)
class Guard:
    key: str
    name: str
    weekly_hours_cap: int = 48
    max_consecutive_nights: int = 3
    leave: frozenset[date] = frozenset()
    prefers_off: frozenset[tuple[date, str]] = frozenset()  # shift key or "*" for the day
    prefers_on: frozenset[tuple[date, str]] = frozenset()
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RosterProblem:
    """``days`` days from ``start``. A guard on shift ``s`` of day ``d`` works
    from ``d`` + ``s.start_minute``. ``cover[shift_key]`` guards exactly, every
    day, unless ``cover_overrides[(date, shift_key)]`` says otherwise; missing
    shifts need nobody. ``role_cover[(shift_key, role)]``: at least that many of
    the shift's guards hold the role. ``fairness_leave_days``: guards with more
    leave days than this in the horizon are left out of the night fairness rule."""

    start: date
    days: int
    shifts: tuple[Shift, ...]
    guards: tuple[Guard, ...]
    cover: Mapping[str, int] = field(default_factory=dict)
    cover_overrides: Mapping[tuple[date, str], int] = field(default_factory=dict)
    role_cover: Mapping[tuple[str, str], int] = field(default_factory=dict)
    night_fairness: int = 1
    min_rest_hours: int = 8
    fairness_leave_days: int = 7

    def __post_init__(self) -> None:
        keys = [s.key for s in self.shifts]
        if self.days < 1 or not keys:
            raise ValueError("a roster needs at least one day and one shift")
        if len(set(keys)) != len(keys):
            raise ValueError("shift keys must be unique")
        if len({g.key for g in self.guards}) != len(self.guards):
            raise ValueError("guard keys must be unique")
        for s in self.shifts:
            if s.length_minutes <= 0 or not 0 <= s.start_minute < 1440:
                raise ValueError(f"shift {s.key}: start in [0, 1440), positive length")
        for key, n in self.cover.items():
            if key not in keys or n < 0:
                raise ValueError(f"cover {key!r}: unknown shift or negative")
        for (day, key), n in self.cover_overrides.items():
            if key not in keys or n < 0 or not 0 <= (day - self.start).days < self.days:
                raise ValueError(f"override {day} {key!r}: unknown shift, negative or outside")
        for (key, _role), n in self.role_cover.items():
            if key not in keys or n < 0:
                raise ValueError(f"role cover {key!r}: unknown shift or negative")
        if self.night_fairness < 0 or self.min_rest_hours < 0:
            raise ValueError("night_fairness and min_rest_hours are not negative")

    # -- derived facts every solver and the checker share -----------------------------
    def date(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def day_index(self, when: date) -> int | None:
        i = (when - self.start).days
        return i if 0 <= i < self.days else None

    def shift(self, key: str) -> Shift | None:
        return next((s for s in self.shifts if s.key == key), None)

    def need(self, day: int, key: str) -> int:
        return self.cover_overrides.get((self.date(day), key), self.cover.get(key, 0))

    def on_leave(self, guard: Guard, day: int) -> bool:
        return self.date(day) in guard.leave

    def fair_guards(self) -> list[Guard]:
        """Guards the night fairness rule compares (not on leave for long)."""
        return [g for g in self.guards if self.leave_days(g) <= self.fairness_leave_days]

    def leave_days(self, guard: Guard) -> int:
        return sum(1 for d in guard.leave if self.day_index(d) is not None)

    def rest_conflicts(self) -> list[tuple[str, int, str]]:
        """(earlier shift, day offset, later shift): working both leaves less than
        ``min_rest_hours`` between the end of the first and the start of the
        second (offset ≥ 1; the same day is ruled out by one shift a day)."""
        rest = self.min_rest_hours * 60
        out = []
        for a in self.shifts:
            for b in self.shifts:
                for offset in (1, 2):
                    if offset * 1440 + b.start_minute - a.end_minute < rest:
                        out.append((a.key, offset, b.key))
        return out

    def windows(self) -> list[range]:
        """The weekly hours cap holds in every rolling window of 7 days (the
        whole horizon when shorter); a shift counts on the day it starts."""
        if self.days <= 7:
            return [range(self.days)]
        return [range(d, d + 7) for d in range(self.days - 6)]

    def preference_count(self) -> int:
        return sum(
            1
            for g in self.guards
            for day, _ in (*g.prefers_on, *g.prefers_off)
            if self.day_index(day) is not None
        )


@dataclass
class Assignment:
    day: date
    shift: str
    guard: str


_WHY = (
    ("on_leave", "on leave"),
    ("on_other_shift", "on another shift that day"),
    ("resting", "resting after a shift"),
    ("at_hours_cap", "at the weekly hours cap"),
    ("at_night_limit", "at the consecutive nights limit"),
)


@dataclass
class Reason:
    """Why a roster breaks a rule or a slot cannot be covered. ``code`` and
    ``facts`` are for the app to render (translated); ``str()`` is for logs.

    Codes: understaffed, overstaffed, double_shift, on_leave, rest,
    consecutive_nights, weekly_hours, role_missing, fairness, fairness_relaxed,
    blocked_by, unknown_guard, unknown_shift, outside_horizon, no_solution."""

    code: str
    day: date | None = None
    shift: str | None = None
    guard: str | None = None
    facts: dict = field(default_factory=dict)

    def __str__(self) -> str:
        where = " ".join(str(x) for x in (self.day, self.shift) if x is not None)
        who = f" [{self.guard}]" if self.guard else ""
        f = self.facts
        if self.code == "understaffed" and "available" in f:
            why = ", ".join(f"{f[k]} {label}" for k, label in _WHY if f.get(k))
            detail = f"needs {f['needed']}, only {f['available']} guards available" + (
                f" ({why})" if why else ""
            )
        else:
            detail = self.code + (
                " (" + ", ".join(f"{k}={v}" for k, v in f.items()) + ")" if f else ""
            )
        return f"{where}{who}: {detail}" if where or who else detail


@dataclass
class RosterStats:
    nights_min: int = 0
    nights_max: int = 0
    shifts_min: int = 0
    shifts_max: int = 0
    preference_hits: int = 0
    preference_total: int = 0
    solve_seconds: float = 0.0
    time_to_first_feasible: float | None = None
    objective: float | None = None
    best_bound: float | None = None
    # CP-SAT's deterministic time of the last solve: comparable across machine loads
    deterministic_s: float | None = None

    @property
    def nights_spread(self) -> int:
        return self.nights_max - self.nights_min


@dataclass
class RosterResult:
    status: Status
    assignments: list[Assignment]
    reasons: list[Reason] = field(default_factory=list)
    stats: RosterStats = field(default_factory=RosterStats)

    def by_guard(self) -> dict[str, list[Assignment]]:
        out: dict[str, list[Assignment]] = {}
        for a in sorted(self.assignments, key=lambda a: (a.day, a.shift)):
            out.setdefault(a.guard, []).append(a)
        return out


def sort_assignments(items: Iterable[Assignment]) -> list[Assignment]:
    return sorted(items, key=lambda a: (a.day, a.shift, a.guard))
