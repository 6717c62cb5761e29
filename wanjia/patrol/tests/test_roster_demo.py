"""The demo roster (wanjia/demo/fixtures/patrol_roster.py): four weeks for the
demo team that keep every rule, with the ``patrol`` account on tonight's night
shift whatever the hour the demo is loaded."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wanjia import rostering as engine
from wanjia.demo.constants import DEMO_COMPOUND_CODE
from wanjia.demo.fixtures import patrol_roster
from wanjia.patrol.models import RosterShift, Team, TeamMember, TeamRole
from wanjia.patrol.services import rosters

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Shanghai")
INSTANTS = [
    datetime(2026, 12, 3, 0, 30, tzinfo=LOCAL),
    datetime(2026, 12, 7, 6, 0, tzinfo=LOCAL),  # a Monday morning: the night just ended
    datetime(2026, 11, 28, 21, 30, tzinfo=LOCAL),
]


@pytest.mark.parametrize("instant", INSTANTS, ids=lambda d: d.strftime("%a%H%M"))
def test_demo_roster(world, instant, login):
    world.a.code = DEMO_COMPOUND_CODE
    world.a.save()
    patrol = world.staff_a
    patrol.username = "patrol"
    patrol.save()
    team = Team.objects.create(compound=world.a, name="党员先锋巡逻队")
    TeamMember.objects.create(team=team, user=patrol, role=TeamRole.GUARD)
    TeamMember.objects.create(team=team, user=world.volunteer_a, role=TeamRole.VOLUNTEER)
    with time_machine.travel(instant, tick=False):
        out = StringIO()
        patrol_roster.load(stdout=out)
        assert "patrol roster demo: optimal" in out.getvalue() or "feasible" in out.getvalue()
        night = rosters.tonight()
        start = rosters.week_start(night)
        assert start <= night < start + timedelta(days=28)
        rows = RosterShift.objects.filter(compound=world.a)
        assert rows.count() == 28 * 4
        assert rows.filter(user=patrol, date=night, shift="night").exists()
        problem = rosters.build_problem(world.a, start, 28)
        assert engine.check(problem, rosters.assignments_in(world.a, start, 28)) == []
        page = login(patrol).get("/h5/patrol/").content.decode()
        assert 'data-testid="my-shifts"' in page and "夜班" in page
        patrol_roster.load(stdout=out)  # idempotent
        assert rows.count() == 28 * 4
