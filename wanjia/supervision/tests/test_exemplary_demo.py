"""The exemplary demo, loaded at 08:10 on a morning: three published cases
from three modules, one waiting for the regulator's review today, one
returned today to the demo compound's manager; the public page shows the
published ones, and their selection is good conduct for the demo company."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from wanjia.core import conduct
from wanjia.core.models import Compound, User
from wanjia.demo.constants import DEMO_COMPOUND_CODE
from wanjia.supervision.exemplary import services
from wanjia.supervision.exemplary.models import CaseStatus, ExemplaryCase

LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_exemplary_demo_in_the_morning():
    with time_machine.travel(datetime(2026, 12, 3, 8, 10, tzinfo=LOCAL), tick=True):
        out = StringIO()
        call_command("load_demo", "--scale", "small", stdout=out)
        assert "supervision exemplary demo: 5 cases" in out.getvalue(), out.getvalue()
        demo = Compound.objects.get(code=DEMO_COMPOUND_CODE)
        published = ExemplaryCase.objects.filter(status=CaseStatus.PUBLISHED)
        assert {c.source_kind for c in published} == {
            "volunteers.thanks",
            "disputes.mediation",
            "emergency.nomination",
        }
        waiting = ExemplaryCase.objects.get(status=CaseStatus.SUBMITTED)
        assert waiting.nominated_at.astimezone(LOCAL).date() == date(2026, 12, 3)
        returned = ExemplaryCase.objects.get(status=CaseStatus.RETURNED)
        assert returned.compound == demo and returned.review_note
        assert returned.reviewed_at.astimezone(LOCAL).date() == date(2026, 12, 3)

        anon = Client()
        page = anon.get("/exemplary/").content.decode()
        assert all(c.title in page for c in published)
        assert waiting.title not in page and returned.title not in page

        regulator = User.objects.get(username="regulator")
        manager = User.objects.get(username="manager")
        gov = Client()
        gov.force_login(regulator)
        queue = gov.get("/gov/exemplary/").content.decode()
        assert waiting.title in queue
        console = Client()
        console.force_login(manager)
        page = console.get(f"/console/exemplary/{returned.pk}/").content.decode()
        assert 'data-testid="ex-resubmit"' in page and returned.review_note in page

        evidence = conduct.rule(services.RULE).collect(
            [demo.company_id], date(2026, 9, 1), date(2026, 12, 31)
        )
        assert len(evidence) == 3
        # loading again leaves the cases alone
        call_command("load_demo", "--scale", "small", stdout=StringIO())
        assert ExemplaryCase.objects.count() == 5
