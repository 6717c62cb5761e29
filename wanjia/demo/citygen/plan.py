"""Sizing, the clock and id ranges of a generated city."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

HOUSEHOLDS_PER_COMPOUND = 500
COMPOUNDS_PER_COMPANY = 20
COMPOUNDS_PER_COMMUNITY = 8
COMMUNITIES_PER_STREET = 5
STREETS_PER_DISTRICT = 5
# Every chunk (0: the city, i + 1: compound i) owns the ids
# [chunk * STRIDE + 1, (chunk + 1) * STRIDE) of every table. 2,001 chunks fit
# below 2**31, so the ranges work for integer as well as bigint keys.
STRIDE = 1_000_000

# Events per household per year at --events-per-household 1 (the defaults).
RATES = {
    "tickets": 1.2,  # repair requests (tickets_ticket); ~60 % of the finished ones rated
    "disputes": 0.02,  # dispute cases (disputes_case)
    "market": 0.10,  # chance a household orders in one weekly window: ~5 orders a year
    "bookings": 0.4,  # convenience-service bookings (conveniences_booking)
    "audit": 1.0,  # audit entries besides the ones of tickets and cases
}
# Per compound or per person, also scaled by --events-per-household.
PATROL_RUNS_PER_DAY = 1  # patrol rounds of 4 checkpoints
CARE_VISITS_PER_WEEK = 1  # per elder living alone
VOLUNTEER_ENTRIES_PER_MONTH = 1  # hours entries per volunteer
PARTY_ACTIVITIES_PER_MONTH = 1  # per branch


@dataclass(frozen=True)
class CityPlan:
    seed: str
    households: int
    clock: date  # events fall in the 365 days before this date
    events: float = 1.0

    @property
    def compounds(self) -> int:
        return max(1, round(self.households / HOUSEHOLDS_PER_COMPOUND))

    @property
    def companies(self) -> int:
        return max(1, round(self.compounds / COMPOUNDS_PER_COMPANY))

    @property
    def communities(self) -> int:
        return max(1, -(-self.compounds // COMPOUNDS_PER_COMMUNITY))

    @property
    def streets(self) -> int:
        return max(1, -(-self.communities // COMMUNITIES_PER_STREET))

    @property
    def districts(self) -> int:
        return max(1, -(-self.streets // STREETS_PER_DISTRICT))

    def households_of(self, index: int) -> int:
        """Households planned for compound ``index``: the total split evenly."""
        base, extra = divmod(self.households, self.compounds)
        return base + (1 if index < extra else 0)

    def rng(self, *parts) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.clock, time.min))

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=365)

    def days(self):
        """The 365 local dates before the clock, oldest first."""
        return [self.clock - timedelta(days=n) for n in range(365, 0, -1)]

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def when(self, rng: random.Random, *, first_hour=8, last_hour=20) -> datetime:
        """A moment in the year before the clock, in waking hours."""
        day = self.clock - timedelta(days=rng.randint(1, 365))
        return self.at(day, rng.randint(first_hour, last_hour - 1), rng.randrange(60)) + timedelta(
            seconds=rng.randrange(60)
        )

    def count(self, rng: random.Random, mean: float) -> int:
        """An integer with expectation ``mean`` (floor plus a Bernoulli remainder)."""
        mean = max(0.0, mean * self.events)
        whole = int(mean)
        return whole + (1 if rng.random() < mean - whole else 0)


@dataclass
class Ids:
    """Deterministic primary keys of one chunk, per model."""

    chunk: int
    used: dict = field(default_factory=dict)

    def __call__(self, model) -> int:
        n = self.used.get(model, 0) + 1
        if n >= STRIDE:
            raise OverflowError(f"chunk {self.chunk} ran out of ids for {model._meta.label}")
        self.used[model] = n
        return self.chunk * STRIDE + n

    @staticmethod
    def first(chunk: int) -> int:
        return chunk * STRIDE + 1
