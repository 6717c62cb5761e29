"""The shortage-sharing rules, alone (no database)."""

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wanjia.market import shortage
from wanjia.market.shortage import FIRST_COME, PRO_RATA, Line, share

ONE = {1: Decimal(1)}


def line(pk, qty, need=None, minute=0):
    return Line(id=pk, qty=qty, need=need or ONE, rank=(datetime(2024, 6, 1, 18, minute), pk))


def test_enough_for_everybody_changes_nothing():
    lines = [line(1, 2), line(2, 3)]
    out = share(lines, {1: Decimal(5)}, PRO_RATA)
    assert out.filled == {1: 2, 2: 3}
    assert out.short_items == set()


def test_first_come_fills_the_earliest_orders_in_full():
    lines = [line(1, 3, minute=5), line(2, 2, minute=1), line(3, 2, minute=9)]
    out = share(lines, {1: Decimal(4)}, FIRST_COME)
    # line 2 (18:01) gets 2, line 1 (18:05) gets the remaining 2, line 3 nothing
    assert out.filled == {2: 2, 1: 2, 3: 0}


def test_pro_rata_shares_by_ratio_with_largest_remainder():
    # 7 units for 10 asked: ideal 2.1 / 2.1 / 2.8 -> floors 2/2/2, the one left
    # over goes to the largest remainder (0.8)
    lines = [line(1, 3), line(2, 3), line(3, 4)]
    out = share(lines, {1: Decimal(7)}, PRO_RATA)
    assert out.filled == {1: 2, 2: 2, 3: 3}
    assert sum(out.filled.values()) == 7


def test_pro_rata_tie_goes_to_the_earlier_order():
    lines = [line(1, 1, minute=9), line(2, 1, minute=2)]
    out = share(lines, {1: Decimal(1)}, PRO_RATA)
    assert out.filled == {1: 0, 2: 1}


def test_a_bundle_is_short_when_one_component_is():
    bundle = {1: Decimal(1), 2: Decimal("0.5")}
    lines = [line(1, 2, bundle), line(2, 2, {2: Decimal(1)})]
    # item 2: demand 2*0.5 + 2*1 = 3, only 1.5 usable (ratio 0.5)
    out = share(lines, {1: Decimal(10), 2: Decimal("1.5")}, PRO_RATA)
    assert out.filled == {1: 1, 2: 1}
    assert out.short_items == {2}


def test_nothing_arrived_means_nothing_handed_out():
    out = share([line(1, 2)], {}, FIRST_COME)
    assert out.filled == {1: 0}


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError):
        share([line(1, 2)], {1: Decimal(1)}, "lottery")


lines_strategy = st.lists(
    st.tuples(
        st.integers(1, 5),  # qty
        st.sampled_from([{1: "1"}, {2: "1"}, {1: "1", 2: "0.5"}, {1: "2", 3: "1"}]),
        st.integers(0, 59),
    ),
    min_size=1,
    max_size=12,
)


@given(
    lines_strategy,
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(0, 40),
    st.sampled_from([FIRST_COME, PRO_RATA]),
)
def test_never_more_than_asked_or_than_arrived(spec, a, b, c, rule):
    lines = [
        Line(id=n, qty=q, need={k: Decimal(v) for k, v in need.items()}, rank=(m, n))
        for n, (q, need, m) in enumerate(spec)
    ]
    usable = {1: Decimal(a), 2: Decimal(b) / 2, 3: Decimal(c)}
    out = share(lines, usable, rule)
    for ln in lines:
        assert 0 <= out.filled[ln.id] <= ln.qty
    used = shortage.item_demand([Line(ln.id, out.filled[ln.id], ln.need) for ln in lines])
    for item, qty in used.items():
        assert qty <= usable.get(item, 0)
    if not out.short_items:
        assert all(out.filled[ln.id] == ln.qty for ln in lines)
