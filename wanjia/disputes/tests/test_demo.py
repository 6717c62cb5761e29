"""The party and disputes demo data on the small demo city: every level and
status, uncovered buildings, the demo accounts' own work, idempotent and
deterministic."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from wanjia.core.models import Compound
from wanjia.demo.constants import DEMO_COMPOUND_CODE
from wanjia.demo.fixtures import disputes as disputes_demo
from wanjia.demo.fixtures import party as party_demo
from wanjia.disputes import selectors
from wanjia.disputes.models import Case, Level, Status, Sweep
from wanjia.party.models import Activity, Branch, Member, Team
from wanjia.party.selectors import coverage


def _signature():
    return sorted(
        Case.objects.values_list(
            "compound__code",
            "building__name",
            "category",
            "risk",
            "level",
            "status",
            "summary",
            "mediator__username",
        ),
        key=str,
    )


LOCAL = ZoneInfo("Asia/Shanghai")
# The demo is built from the loader's clock: it must hold after midnight, before
# the morning receiving, at noon and in the evening, on any date.
INSTANTS = [
    datetime(2026, 12, 3, 0, 30, tzinfo=LOCAL),
    datetime(2027, 1, 15, 5, 30, tzinfo=LOCAL),
    datetime(2027, 3, 1, 12, 0, tzinfo=LOCAL),
    datetime(2026, 11, 28, 21, 30, tzinfo=LOCAL),
]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("instant", INSTANTS, ids=lambda d: d.strftime("%m%d-%H%M"))
def test_demo_data(client, instant):
    with time_machine.travel(instant, tick=True):
        _check_demo_data(client)


def _check_demo_data(client):
    out = StringIO()
    call_command("load_demo", "--scale", "small", stdout=out)
    assert "disputes:" in out.getvalue() and "party:" in out.getvalue()
    demo = Compound.objects.get(code=DEMO_COMPOUND_CODE)

    # party: a branch per compound, members, a vanguard team, activities, gaps
    assert Branch.objects.filter(compounds=demo).count() == 1
    assert Member.objects.filter(compound=demo).count() >= 5
    assert Team.objects.filter(compound=demo, kind="vanguard").exists()
    assert Activity.objects.filter(compound=demo).count() >= 6
    cov = coverage(demo)
    assert 0 < cov.buildings_covered <= 1 and cov.service_hours_month > 0

    # disputes: a few hundred over 90 days at every level and in every status
    cases = Case.objects.all()
    assert cases.count() >= 150
    assert {lv for (lv,) in cases.values_list("level")} == set(Level.values)
    assert {st for (st,) in cases.values_list("status")} == set(Status.values)
    assert Sweep.objects.filter(compound=demo, done_at__isnull=True).exists()
    f = selectors.figures(Compound.objects.filter(pk=demo.pk))
    assert f.resolved > 50 and f.building_rate and f.open_now >= 5

    # the demo accounts have their own work waiting
    from wanjia.core.models import User

    resident = User.objects.get(username="resident")
    mine = list(selectors.cases_visible_to(resident))
    assert len(mine) == 3
    assert sum(c.is_open for c in mine) == 1  # one still being mediated
    assert any(c.status == Status.RESOLVED for c in mine)  # one waiting for their rating
    leader = User.objects.get(username="building_leader")
    assert selectors.my_cases(leader).exists()
    client.force_login(User.objects.get(username="manager"))
    assert client.get("/console/disputes/").status_code == 200

    # idempotent: a second run writes nothing
    before = (Case.objects.count(), Member.objects.count(), Sweep.objects.count())
    party_demo.load(stdout=StringIO())
    disputes_demo.load(stdout=StringIO())
    assert (Case.objects.count(), Member.objects.count(), Sweep.objects.count()) == before

    # deterministic: the same cases again from scratch
    first = _signature()
    Case.objects.all().delete()
    Sweep.objects.all().delete()
    disputes_demo.load(stdout=StringIO())
    assert _signature() == first
