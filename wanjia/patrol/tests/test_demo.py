"""The patrol demo: every compound with rounds, and the ``patrol`` account with
tonight's round to walk whatever the hour the demo is loaded."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from wanjia.core import figures
from wanjia.core.models import Compound, User
from wanjia.core.today import cards_for
from wanjia.patrol import selectors
from wanjia.patrol.models import CheckIn, Checkpoint, Incident, RunStop

LOCAL = ZoneInfo("Asia/Shanghai")
INSTANTS = [
    datetime(2026, 12, 3, 0, 30, tzinfo=LOCAL),
    datetime(2027, 3, 1, 14, 0, tzinfo=LOCAL),
    datetime(2026, 11, 28, 21, 30, tzinfo=LOCAL),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("instant", INSTANTS, ids=lambda d: d.strftime("%H%M"))
def test_patrol_demo(client, instant):
    with time_machine.travel(instant, tick=True):
        out = StringIO()
        call_command("load_demo", "--scale", "small", stdout=out)
        assert "patrol demo:" in out.getvalue()
        for compound in Compound.objects.all():
            assert Checkpoint.objects.filter(compound=compound).count() == 4
        assert RunStop.objects.filter(missed=True).exists()
        assert CheckIn.objects.exclude(flags=[]).exists()
        assert Incident.objects.exists()
        guard = User.objects.get(username="patrol")
        mine = selectors.my_round(guard)
        assert mine["next"] is not None, "the patrol account has a round to walk"
        assert mine["next"].due_at > instant - timedelta(minutes=15)  # still within the grace
        card = next(c for c in cards_for(guard) if c.url.endswith("/h5/patrol/"))
        assert card.count and card.status == "due"
        if instant.hour == 14:  # the afternoon: the card says tonight's round starts later
            assert "22:00" in card.detail and "开始" in card.detail
        ids = list(Compound.objects.values_list("pk", flat=True))
        rate = figures.figure("patrol.completion").compute(ids, *figures.last_days(30))
        assert 0.9 < rate < 1
        client.force_login(guard)
        assert client.get("/h5/patrol/").status_code == 200
