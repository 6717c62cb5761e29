"""The tickets demo at 00:30 (the hardest hour: today has barely begun):
history with breaches, return visits and ratings; the resident's open
ticket; each staff account's work due today and late."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from wanjia.core import figures
from wanjia.core.models import Compound, User
from wanjia.core.today import cards_for
from wanjia.demo.constants import DEMO_COMPOUND_CODE
from wanjia.tickets import selectors
from wanjia.tickets.models import OPEN, Status, Ticket

LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_tickets_demo_at_half_past_midnight(client):
    with time_machine.travel(datetime(2026, 12, 3, 0, 30, tzinfo=LOCAL), tick=True):
        out = StringIO()
        call_command("load_demo", "--scale", "small", stdout=out)
        assert "tickets demo:" in out.getvalue(), out.getvalue()
        demo = Compound.objects.get(code=DEMO_COMPOUND_CODE)
        rows = Ticket.objects.filter(compound=demo)
        assert rows.filter(status=Status.CLOSED).exists()
        assert rows.filter(reopen_count__gt=0).exists()
        assert rows.filter(visited_at__isnull=False).exists()
        assert rows.filter(rating__isnull=False).exists()
        assert len({t.category_id for t in rows}) >= 6
        resident = User.objects.get(username="resident")
        assert selectors.my_tickets(resident).filter(status__in=OPEN).exists()
        assert any(c.title == "我的报修" for c in cards_for(resident))
        for name in ("patrol", "courier", "caretaker"):
            counts = selectors.work_counts(User.objects.get(username=name))
            assert counts["due"] >= 1 and counts["overdue"] >= 1, (name, counts)
        start, end = figures.last_days(30)
        respond = figures.figure("tickets.respond_met").compute([demo.pk], start, end)
        assert respond is not None and 0.5 < respond < 1
        client.force_login(resident)
        assert client.get("/h5/tickets/").status_code == 200
