"""A Hypothesis state machine drives one window through random sequences of
place / change / cancel / close / receive and checks, after every step:

- stock never below zero, and sold + left = stocked for every offer;
- every order's total is the sum of its lines, every line's amount is
  unit price × units handed out, and nobody gets more than they ordered;
- the database agrees with a plain Python model of the stock;
- after receiving, no item is handed out beyond what was usable.

Each example runs inside a savepoint that is rolled back afterwards."""

from datetime import datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from wanjia.core.roles import Role
from wanjia.estates.testing import grant, make_user
from wanjia.market import services
from wanjia.market.errors import Conflict
from wanjia.market.models import Offer, OfferSource, Order, OrderLine, OrderStatus, PurchaseLine
from wanjia.market.services import LineIn
from wanjia.market.testing import make_market, open_window

pytestmark = pytest.mark.django_db

NAMES = ["土豆", "西红柿", "家常蔬菜包"]
STOCK = 6
LIMIT = 3
quantities = st.lists(st.integers(0, LIMIT), min_size=len(NAMES), max_size=len(NAMES))


@pytest.mark.slow
def test_window_invariants_hold_over_random_operations(world):
    kit = make_market(manager=world.manager_a, compound=world.a)
    homes = list(world.a.households.order_by("id")[:4])
    people = [
        world.resident_a if h == world.home else grant(make_user(), Role.RESIDENT, h) for h in homes
    ]
    manager = world.manager_a

    class WindowMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.window = open_window(kit, manager=manager, names=NAMES, stock=STOCK, limit=LIMIT)
            self.offers = [kit.offers[n] for n in NAMES]
            self.left = {o.pk: STOCK for o in self.offers}
            self.live: dict[int, int] = {}  # household index -> order id
            self.phase = "open"
            self.usable: dict[int, Decimal] | None = None

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def _lines(self, qtys):
            return [LineIn(o.pk, q) for o, q in zip(self.offers, qtys, strict=True) if q]

        @rule(h=st.integers(0, len(homes) - 1), qtys=quantities)
        def place(self, h, qtys):
            lines = self._lines(qtys)
            fits = all(ln.qty <= self.left[ln.offer] for ln in lines)
            expect_ok = self.phase == "open" and h not in self.live and bool(lines) and fits
            try:
                order = services.order_place(
                    actor=people[h], window=self.window, household=homes[h], lines=lines
                )
            except (Conflict, ValidationError):
                assert not expect_ok
                return
            assert expect_ok
            self.live[h] = order.pk
            for ln in lines:
                self.left[ln.offer] -= ln.qty

        @precondition(lambda self: self.live)
        @rule(data=st.data(), qtys=quantities)
        def change(self, data, qtys):
            h = data.draw(st.sampled_from(sorted(self.live)))
            order = Order.objects.get(pk=self.live[h])
            old = {ln.offer_id: ln.qty for ln in order.lines.all()}
            lines = self._lines(qtys)
            new = {ln.offer: ln.qty for ln in lines}
            fits = all(new.get(o, 0) - old.get(o, 0) <= self.left[o] for o in self.left)
            expect_ok = self.phase == "open" and bool(lines) and fits
            try:
                services.order_change(actor=people[h], order=order, lines=lines)
            except (Conflict, ValidationError):
                assert not expect_ok
                return
            assert expect_ok
            for o in self.left:
                self.left[o] -= new.get(o, 0) - old.get(o, 0)

        @precondition(lambda self: self.live)
        @rule(data=st.data())
        def cancel(self, data):
            h = data.draw(st.sampled_from(sorted(self.live)))
            order = Order.objects.get(pk=self.live[h])
            try:
                services.order_cancel(actor=people[h], order=order)
            except Conflict:
                assert self.phase != "open"
                return
            assert self.phase == "open"
            for ln in order.lines.all():
                self.left[ln.offer_id] += ln.qty
            del self.live[h]

        @rule()
        def close(self):
            closed = services.window_close(actor=manager, window=self.window)
            assert closed == (self.phase == "open")
            if closed:
                self.phase = "closed"

        @precondition(lambda self: self.phase == "closed")
        @rule(
            fractions=st.lists(st.integers(0, 12), min_size=8, max_size=8),
            rejected=st.integers(0, 2),
        )
        def receive(self, fractions, rejected):
            at = timezone.make_aware(datetime.combine(self.window.delivery_date, time(5, 30)))
            lines = list(
                PurchaseLine.objects.filter(purchase_order__window=self.window).order_by("id")
            )
            self.usable = {}
            with time_machine.travel(at):
                for line, tenth in zip(lines, fractions, strict=False):
                    received = (line.demand_qty * tenth / 10).quantize(Decimal("0.01"))
                    bad = min(Decimal(rejected), received)
                    services.receive_line(
                        actor=manager,
                        line=line,
                        received_qty=received,
                        rejected_qty=bad,
                        reason="损耗",
                    )
                    self.usable[line.item_id] = (
                        self.usable.get(line.item_id, Decimal(0)) + received - bad
                    )
                services.receiving_finish(actor=manager, window=self.window)
            self.phase = "received"

        @invariant()
        def stock_adds_up(self):
            for offer in Offer.objects.filter(window=self.window):
                sold = (
                    OrderLine.objects.filter(
                        offer=offer, order__status=OrderStatus.PLACED
                    ).aggregate(s=Sum("qty"))["s"]
                    or 0
                )
                assert offer.stock_left >= 0
                assert sold + offer.stock_left == offer.stock == STOCK
                assert offer.stock_left == self.left[offer.pk]

        @invariant()
        def totals_are_sums_of_lines(self):
            for order in Order.objects.filter(window=self.window).prefetch_related("lines"):
                lines = list(order.lines.all())
                assert order.total == sum((ln.amount for ln in lines), Decimal("0.00"))
                for ln in lines:
                    assert ln.amount == ln.unit_price * ln.qty_filled
                    assert 0 <= ln.qty_filled <= ln.qty
                    if self.phase != "received":
                        assert ln.qty_filled == ln.qty

        @invariant()
        def nothing_handed_out_beyond_what_arrived(self):
            if self.usable is None:
                return
            used: dict[int, Decimal] = {}
            live = OrderLine.objects.filter(
                order__window=self.window, order__status=OrderStatus.PLACED
            )
            for src in OfferSource.objects.filter(offer__window=self.window):
                filled = live.filter(offer_id=src.offer_id).aggregate(s=Sum("qty_filled"))["s"] or 0
                used[src.item_id] = used.get(src.item_id, Decimal(0)) + src.qty * filled
            for item, qty in used.items():
                assert qty <= self.usable.get(item, Decimal(0))

    run_state_machine_as_test(
        WindowMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
