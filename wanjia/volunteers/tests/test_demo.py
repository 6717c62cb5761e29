"""The volunteers demo, loaded at 00:30 (the hour when least is under way):
volunteers in every compound, every star level somewhere, and the
``volunteer`` account with real work of its own on its phone home."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum

from wanjia.core import figures
from wanjia.core.models import Compound, User
from wanjia.core.today import cards_for
from wanjia.volunteers import selectors
from wanjia.volunteers.models import HoursEntry, Signup, Task, Thanks, ThanksStatus, Volunteer
from wanjia.volunteers.services.wall import stars_for

LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_volunteers_demo_at_half_past_midnight(client):
    with time_machine.travel(datetime(2026, 12, 3, 0, 30, tzinfo=LOCAL), tick=True):
        out = StringIO()
        call_command("load_demo", "--scale", "small", stdout=out)
        assert "volunteers demo:" in out.getvalue(), out.getvalue()
        for compound in Compound.objects.all():
            assert Volunteer.objects.filter(compound=compound, status="approved").count() >= 12
            assert Thanks.objects.filter(compound=compound, status=ThanksStatus.SHOWN).exists()
        totals = HoursEntry.objects.values("volunteer").annotate(m=Sum("minutes"))
        assert {stars_for(r["m"]) for r in totals} >= {1, 2, 3, 4, 5}
        for t in Task.objects.all():
            assert t.taken == t.signups.filter(status="signed").count() <= t.places

        me = User.objects.get(username="volunteer")
        mine = selectors.my_signups(me)["current"]
        assert any(s.task.starts_at <= datetime.now(LOCAL) < s.task.ends_at for s in mine)
        cards = {c.title: c for c in cards_for(me)}
        assert cards["我的志愿任务"].count >= 2 and cards["我的志愿任务"].status == "due"
        assert cards["可报名的志愿任务"].count > 0
        assert Signup.objects.filter(volunteer__user=me, auto_closed=True).exists()

        client.force_login(me)
        home = client.get("/h5/").content.decode()
        assert "还没有关联到住户" not in home and "我的志愿任务" in home
        assert "到场签到" in client.get("/h5/volunteers/mine/").content.decode()
        hours = client.get("/h5/volunteers/hours/").content.decode()
        assert "ZYFW-" in hours

        manager = User.objects.get(username="manager")
        assert any(c.title == "待确认志愿时长" for c in cards_for(manager))
        ids = list(Compound.objects.values_list("pk", flat=True))
        start, end = figures.last_days(30)
        assert figures.figure("volunteers.active").compute(ids, start, end) > 10
        assert figures.figure("volunteers.hours").compute(ids, start, end) > 100
        many = figures.figure("volunteers.hours").compute_many([ids[:1], ids[1:]], start, end)
        assert (
            round(sum(many), 1)
            == round(figures.figure("volunteers.hours").compute(ids, start, end), 1)
            or abs(sum(many) - figures.figure("volunteers.hours").compute(ids, start, end)) < 0.2
        )
