"""The care demo: people on every compound's list, 30 days of visits with
escalations at each step, and today's visits for the ``caretaker`` account
whatever the hour the demo is loaded (05:59 included: before the job runs)."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from wanjia.care import selectors, selectors_duty
from wanjia.care.models import (
    CarePerson,
    Escalation,
    EscalationStatus,
    FollowUp,
    Visit,
    VisitStatus,
)
from wanjia.care.services import duty as duty_service
from wanjia.core import figures
from wanjia.core.models import Compound, User
from wanjia.core.today import cards_for

LOCAL = ZoneInfo("Asia/Shanghai")
INSTANTS = [
    datetime(2026, 12, 3, 5, 59, tzinfo=LOCAL),
    datetime(2026, 11, 28, 21, 30, tzinfo=LOCAL),
]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("instant", INSTANTS, ids=lambda d: d.strftime("%H%M"))
def test_care_demo(client, instant):
    with time_machine.travel(instant, tick=True):
        out = StringIO()
        call_command("load_demo", "--scale", "small", stdout=out)
        assert "care demo:" in out.getvalue(), out.getvalue()
        for compound in Compound.objects.all():
            assert CarePerson.objects.filter(compound=compound).exists()
        steps = set(Escalation.objects.values_list("step", flat=True))
        assert steps == {1, 2, 3, 4, 5}
        assert Escalation.objects.filter(status=EscalationStatus.OPEN).exists()
        carer = User.objects.get(username="caretaker")
        mine = selectors.my_visits(carer)
        assert mine["visits"], "the caretaker has today's visits"
        if instant.hour < 6:
            assert len(mine["pending"]) == len(mine["visits"])
            card = next(c for c in cards_for(carer) if c.url.endswith("/h5/care/"))
            assert card.count and card.status == "due"
        else:  # after the cut-off: nothing pending; the forgotten ones are escalations
            assert not mine["pending"]
            assert Visit.objects.filter(date=mine["day"], status=VisitStatus.MISSED).exists()
        ids = list(Compound.objects.values_list("pk", flat=True))
        start, end = figures.last_days(30)
        rate = figures.figure("care.on_time").compute(ids, start, end)
        assert 0.9 < rate < 1
        assert figures.figure("care.minutes_to_reached").compute(ids, start, end) > 0
        print([x for x in out.getvalue().splitlines() if "care demo" in x], rate)  # noqa: T201  the closing note
        for key in (
            "care.missed",
            "care.escalations",
            "care.minutes_to_reached",
            "care.people_overdue",
        ):
            print(key, figures.figure(key).compute(ids, start, end))  # noqa: T201
        client.force_login(carer)
        assert client.get("/h5/care/").status_code == 200
        # 24-hour duty: the caretaker is on the shift running now, with the
        # handover left for them; follow-ups from the history's "needs help"
        duty = selectors_duty.my_duty(carer)
        assert duty and duty[0].running, "the caretaker is on duty at load time"
        demo = duty[0].compound
        board = selectors_duty.board(demo)
        assert [p["name"] for p in board["current"]] == [carer.name]
        assert board["next"] and board["unacknowledged"]
        assert FollowUp.objects.filter(compound=demo).exists()
        assert duty_service.problems_in(demo, duty[0].date - timedelta(days=6), 13) == []
        page = client.get("/h5/care/duty/")
        assert page.status_code == 200 and "确认接班" in page.content.decode()
        assert "正在值班" in client.get("/h5/care/").content.decode()
        print(  # noqa: T201  the closing note
            [x for x in out.getvalue().splitlines() if "care duty demo" in x],
            selectors_duty.caretaker_figures(demo, start, end),
        )
