"""Sharing a shortage out among households: pure, no Django, exact arithmetic.

After receiving, each item has a usable quantity (received minus rejected).
Each order line asks for ``qty`` whole units of an offer, and one unit of an
offer uses ``need[item]`` of one or more items (one item for a plain offer,
several for a bundle). Where usable ≥ demand nothing changes. Otherwise:

- **first come** (先到先得): lines in the order they were placed take as many
  whole units as every item they need still allows.
- **pro rata** (按比例): each item's ratio r = usable / demand; a line gets
  ⌊qty × min r over its items⌋ units, and the units left over go one at a time
  to the lines with the largest fractional remainder (earlier orders first on a
  tie), while every item they need still allows — the largest-remainder
  (Hamilton) method, so no household is rounded down twice.

Either way no line gets more than it asked for and no item is used beyond what
was received."""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

FIRST_COME = "first_come"
PRO_RATA = "pro_rata"


@dataclass(frozen=True)
class Line:
    id: int
    qty: int
    need: dict[int, Decimal]  # item id -> quantity of it in one unit
    rank: tuple = ()  # placing order: (placed_at, order id); earlier first


@dataclass
class Outcome:
    filled: dict[int, int]  # line id -> whole units the household gets
    demand: dict[int, Decimal]  # item id -> quantity all lines asked for
    short_items: set[int] = field(default_factory=set)

    def shorted_lines(self, lines: list[Line]) -> list[Line]:
        return [line for line in lines if self.filled[line.id] < line.qty]


def item_demand(lines: list[Line]) -> dict[int, Decimal]:
    demand: dict[int, Decimal] = {}
    for line in lines:
        for item, per_unit in line.need.items():
            demand[item] = demand.get(item, Decimal(0)) + per_unit * line.qty
    return demand


def share(lines: list[Line], usable: dict[int, Decimal], rule: str) -> Outcome:
    """Units each line gets. ``usable`` misses an item → nothing of it arrived."""
    demand = item_demand(lines)
    left = {item: Fraction(usable.get(item, Decimal(0))) for item in demand}
    short = {item for item in demand if left[item] < Fraction(demand[item])}
    if not short:
        return Outcome({line.id: line.qty for line in lines}, demand)
    if rule == FIRST_COME:
        filled = _first_come(lines, left)
    elif rule == PRO_RATA:
        filled = _pro_rata(lines, left, demand, short)
    else:
        raise ValueError(f"unknown shortage rule {rule!r}")
    return Outcome(filled, demand, short)


def _units_possible(line: Line, left: dict[int, Fraction], cap: int) -> int:
    """The most whole units (≤ cap) of ``line`` that what is left allows."""
    possible = cap
    for item, per_unit in line.need.items():
        possible = min(possible, int(left[item] // Fraction(per_unit)))
    return max(possible, 0)


def _take(line: Line, units: int, left: dict[int, Fraction]) -> None:
    for item, per_unit in line.need.items():
        left[item] -= Fraction(per_unit) * units


def _first_come(lines: list[Line], left: dict[int, Fraction]) -> dict[int, int]:
    filled = {}
    for line in sorted(lines, key=lambda ln: (ln.rank, ln.id)):
        units = _units_possible(line, left, line.qty)
        _take(line, units, left)
        filled[line.id] = units
    return filled


def _pro_rata(
    lines: list[Line], left: dict[int, Fraction], demand: dict[int, Decimal], short: set[int]
) -> dict[int, int]:
    ratio = {item: left[item] / Fraction(demand[item]) for item in short}
    filled, remainder = {}, {}
    for line in lines:
        r = min((ratio[item] for item in line.need if item in short), default=Fraction(1))
        ideal = line.qty * min(r, Fraction(1))
        filled[line.id] = int(ideal)  # floor: ideal ≥ 0
        remainder[line.id] = ideal - int(ideal)
    for line in lines:
        _take(line, filled[line.id], left)
    # Largest remainder first; earlier orders win a tie.
    for line in sorted(lines, key=lambda ln: (-remainder[ln.id], ln.rank, ln.id)):
        if filled[line.id] < line.qty and _units_possible(line, left, 1) == 1:
            _take(line, 1, left)
            filled[line.id] += 1
    return filled
