"""Emergency's conduct rule for the credit score: each day an affected
compound sent no daily report by the deadline costs 2 points, a late one 1."""

from datetime import date, timedelta

import pytest
import time_machine

from wanjia.core import conduct
from wanjia.emergency import services
from wanjia.emergency.models import DailyReport, EventCompound

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_missed_and_late_reports_cost_points(flood):
    w = flood
    rule = conduct.rule("emergency.report_missed")
    july = (date(2026, 7, 1), date(2026, 7, 31))
    with time_machine.travel(NOW, tick=False):
        services.report_submit(
            actor=w.manager_a, event=w.event, compound=w.a, on_duty=3, note="平稳"
        )
    DailyReport.objects.filter(compound=w.a).update(late=False)
    with time_machine.travel(NOW + timedelta(days=1, hours=12), tick=False):
        found = rule.collect([w.a.company_id, w.b.company_id], *july)
    ec_a = EventCompound.objects.get(event=w.event, compound=w.a)
    ec_b = EventCompound.objects.get(event=w.event, compound=w.b)
    by_ref = {e.ref: e for e in found}
    # A reported on the 14th, not on the 15th; B reported neither day
    assert set(by_ref) == {
        f"emergency.report:{ec_a.pk}:2026-07-15",
        f"emergency.report:{ec_b.pk}:2026-07-14",
        f"emergency.report:{ec_b.pk}:2026-07-15",
    }
    assert {e.points for e in found} == {2}
    assert by_ref[f"emergency.report:{ec_a.pk}:2026-07-15"].url == (
        f"/console/emergency/affected/{ec_a.pk}/"
    )
    DailyReport.objects.filter(compound=w.a).update(late=True)
    with time_machine.travel(NOW + timedelta(days=1, hours=12), tick=False):
        late = [e for e in rule.collect([w.a.company_id], *july) if e.happened_on == NOW.date()]
    assert [e.points for e in late] == [1]
