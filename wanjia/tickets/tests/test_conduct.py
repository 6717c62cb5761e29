"""The tickets' conduct rule for the credit score: missed completion targets
beyond the tolerated five a month, one point each, each naming its ticket."""

from datetime import date, timedelta

import pytest
import time_machine

from wanjia.core import conduct
from wanjia.tickets import services
from wanjia.tickets.conduct import THRESHOLD
from wanjia.tickets.models import Status, Ticket

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_missed_targets_beyond_the_threshold_cost_points(world):
    with time_machine.travel(NOW, tick=False):
        opened = [
            services.ticket_open(
                actor=world.resident_a, category="plumbing", description=f"厨房水管滴水 {n}"
            )
            for n in range(THRESHOLD + 3)
        ]
    Ticket.objects.filter(pk=opened[0].pk).update(status=Status.CANCELLED)  # withdrawn: not counted
    rule = conduct.rule("tickets.sla_missed")
    assert rule.kind == conduct.BAD
    march = (date(2026, 3, 1), date(2026, 3, 31))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert rule.collect([world.a.company_id], *march) == []  # not due yet
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        found = rule.collect([world.a.company_id], *march)
        assert [e.ref for e in found] == [f"tickets.ticket:{t.pk}" for t in opened[-2:]]
        assert all(e.points == 1 and e.compound_id == world.a.pk for e in found)
        assert found[0].url == f"/console/tickets/t/{opened[-2].pk}/"
        assert rule.collect([world.b.company_id], *march) == []
        assert rule.collect([world.a.company_id], date(2026, 4, 1), date(2026, 4, 30)) == []


def test_the_authority_reads_the_cited_ticket_without_acting_on_it(world, login):
    """A deduction's evidence opens for the regulator (read only: no action,
    no assignment, no return visit), and for no one outside the compound."""
    with time_machine.travel(NOW, tick=False):
        ticket = services.ticket_open(
            actor=world.resident_a, category="plumbing", description="楼道灯不亮"
        )
    url = f"/console/tickets/t/{ticket.pk}/"
    page = login(world.regulator).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "楼道灯不亮" in text
    for action in ("/accept/", "/assign/", "/visit/", "/start/", "/done/"):
        assert f"/console/tickets/t/{ticket.pk}{action}" not in text
    assert login(world.regulator).get(f"/console/tickets/t/{ticket.pk}/print/").status_code == 200
    refused = login(world.regulator).post(f"/console/tickets/t/{ticket.pk}/accept/")
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == Status.SUBMITTED
    assert login(world.outsider_b).get(url).status_code == 404
