"""The emergency demo, loaded at 19:30 (after the day's report deadline):
a closed flood from last summer with its full record and after-action
report, and an epidemic drill over three compounds with today's reports
half in, seen by the regulator's account on its board."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from wanjia.core.models import Compound, User
from wanjia.emergency import selectors
from wanjia.emergency.models import (
    AfterAction,
    AfterStatus,
    Answer,
    ChecklistItem,
    DailyReport,
    Event,
    Nomination,
    Status,
)

LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_emergency_demo_in_the_evening():
    with time_machine.travel(datetime(2026, 12, 3, 19, 30, tzinfo=LOCAL), tick=True):
        out = StringIO()
        call_command("load_demo", "--scale", "small", stdout=out)
        assert "emergency demo:" in out.getvalue(), out.getvalue()
        flood = Event.objects.get(kind="flood")
        assert flood.status == Status.CLOSED and flood.summary
        assert flood.starts_at.year == 2026 and flood.starts_at.month == 7
        assert not ChecklistItem.objects.filter(event=flood, done_at__isnull=True).exists()
        assert DailyReport.objects.filter(event=flood).count() == 3 * flood.affected.count()
        assert not flood.roll.filter(answer=Answer.UNKNOWN).exists()

        drill = Event.objects.get(kind="epidemic")
        assert drill.status == Status.OPEN
        assert drill.affected.count() == min(3, Compound.objects.count()) >= 2
        regulator = User.objects.get(username="regulator")
        rows = selectors.status_rows(regulator, drill)
        assert sum(r["report_today"] for r in rows) == 1
        manager = User.objects.get(username="manager")
        mine = selectors.status_rows(manager, drill)
        assert len(mine) == 1 and not mine[0]["report_today"]

        assert drill.directives.count() == 2
        assert selectors.shortages(regulator, drill)
        assert not flood.materials.exclude(stage="delivered").exists()

        # the flood's after-action: a report per compound, one waiting, two nominations
        reports = AfterAction.objects.filter(event=flood)
        assert reports.count() == flood.affected.count()
        waiting = 1 if flood.affected.count() > 1 else 0  # never the demo compound's
        assert reports.filter(status=AfterStatus.SUBMITTED).count() == waiting
        demo_report = reports.get(written_by=manager)
        assert demo_report.status == AfterStatus.ACCEPTED
        assert demo_report.figures["items_done"] == demo_report.figures["items_total"] > 0
        assert demo_report.figures["reports_sent"] == 3
        noms = Nomination.objects.filter(event=flood)
        assert noms.count() == 2 and noms.filter(by_regulator=True).count() == 1

        client = Client()
        client.force_login(regulator)
        after = client.get(f"/console/emergency/events/{flood.pk}/after/").content.decode()
        assert "全市复盘" in after and after.count('data-testid="em-after-row"') == reports.count()
        assert ("em-after-accept" in after) == bool(waiting)
        board = client.get(f"/console/emergency/events/{drill.pk}/")
        assert board.status_code == 200 and "st-overdue" in board.content.decode()
        client.force_login(manager)
        home = client.get("/console/").content.decode()
        assert 'data-testid="page-banner"' in home and drill.title in home
        ec = flood.affected.get(compound=demo_report.compound)
        page = client.get(f"/console/emergency/affected/{ec.pk}/after/").content.decode()
        assert "党员先锋队" in page and "已验收" in page
        # loading again writes no second after-action
        call_command("load_demo", "--scale", "small", stdout=StringIO())
        assert AfterAction.objects.filter(event=flood).count() == reports.count()
        assert Nomination.objects.filter(event=flood).count() == 2
