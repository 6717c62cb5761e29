"""The feedback demo at any hour: ratings on bags, disputes, tickets,
bookings and care visits, unhappy loops
at every step with one appeal, a survey running; the demo resident has
something to rate and a survey to answer, the manager loops to work."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from wanjia.core import figures
from wanjia.core.models import Compound, User
from wanjia.core.today import cards_for
from wanjia.feedback import selectors
from wanjia.feedback.models import Appeal, Loop, Rating, Stage
from wanjia.tickets.models import Ticket

LOCAL = ZoneInfo("Asia/Shanghai")
# a Monday just after midnight: the hardest hour (the market's day in progress
# is still yesterday's, the working-day clock has just crossed a weekend)
INSTANTS = [datetime(2026, 12, 7, 0, 30, tzinfo=LOCAL)]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("instant", INSTANTS, ids=lambda d: d.strftime("%H%M"))
def test_feedback_demo(client, instant):
    with time_machine.travel(instant, tick=True):
        out = StringIO()
        call_command("load_demo", "--scale", "small", stdout=out)
        assert "feedback:" in out.getvalue(), out.getvalue()
        kinds = set(Rating.objects.values_list("kind", flat=True))
        assert kinds == {"bag", "dispute", "ticket", "booking", "care_visit"}, kinds
        # a ticket's stars are its one rating, its reopen the loop: no loop of ours
        starred = Ticket.objects.filter(household__isnull=False, rating__isnull=False)
        assert starred.filter(rating__lte=2).exists()
        mirrored = Rating.objects.filter(kind="ticket", subject_id__in=starred.values("pk"))
        assert mirrored.count() == starred.count()
        assert not Loop.objects.filter(rating__in=mirrored).exists()
        assert Loop.objects.filter(rating__kind__in=["ticket", "booking", "care_visit"]).exists()
        stages = set(Loop.objects.values_list("stage", flat=True))
        assert stages == {Stage.CALL, Stage.FIX, Stage.RERATE, Stage.CLOSED}
        assert Loop.objects.filter(appeal=Appeal.PENDING).count() == 1
        assert Loop.objects.filter(call_overdue_at__isnull=False).exists()
        assert Loop.objects.filter(fix_overdue_at__isnull=False).exists()
        resident = User.objects.get(username="resident")
        assert selectors.to_rate(resident), "the resident has something to rate"
        assert [s for s in selectors.open_surveys(resident) if not s.answered]
        titles = {c.title for c in cards_for(resident)}
        assert {"待评价", "满意度调查"} <= titles
        assert "差评整改" in {c.title for c in cards_for(User.objects.get(username="manager"))}
        assert "评价申诉待裁定" in {
            c.title for c in cards_for(User.objects.get(username="regulator"))
        }
        ids = list(Compound.objects.values_list("pk", flat=True))
        start, end = figures.last_days(30)
        value = figures.figure("feedback.index").compute(ids, start, end)
        assert 50 < value < 95
        phone = client
        phone.force_login(resident)
        page = phone.get("/h5/feedback/")
        assert page.status_code == 200 and 'data-testid="to-rate"' in page.text
