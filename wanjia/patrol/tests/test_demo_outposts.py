"""The outposts demo: two or three posts per compound with patrol data, 30
nights of shifts with a few gaps, loaded at 00:30 (tonight's rows are
half past and half still to come)."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from wanjia.core.models import Compound, User
from wanjia.demo.constants import DEMO_COMPOUND_CODE
from wanjia.patrol import evidence, selectors
from wanjia.patrol.models import Checkpoint, Outpost, OutpostShift

AT = datetime(2026, 12, 3, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True)
def test_outposts_demo(client):
    with time_machine.travel(AT, tick=True):
        out = StringIO()
        call_command("load_demo", "--scale", "small", stdout=out)
        assert "patrol outposts demo:" in out.getvalue()
        for compound in Compound.objects.all():
            n = Outpost.objects.filter(compound=compound).count()
            has_patrol = Checkpoint.objects.filter(compound=compound).exists()
            assert n == (3 if compound.code == DEMO_COMPOUND_CODE else 2) or not has_patrol
        demo = Compound.objects.get(code=DEMO_COMPOUND_CODE)
        night = selectors.current_night()
        first = night.replace(day=1) if night.day > 1 else night
        shifts = OutpostShift.objects.filter(outpost__compound=demo)
        assert shifts.count() >= 80  # 3 posts x 31 nights, a few left empty
        # one person, one place: no two shifts of a person overlap
        rows = list(
            shifts.order_by("user_id", "starts_at").values_list("user_id", "starts_at", "ends_at")
        )
        for (u1, _s1, e1), (u2, s2, _e2) in zip(rows, rows[1:], strict=False):
            assert u1 != u2 or s2 >= e1
        cover = evidence.cover([demo.pk], first, night)
        assert 0.8 < cover["share"] < 1 and cover["gaps"] > 0
        tonight = evidence.night_timeline(demo, night)
        assert len(tonight["rows"]) == 3 and tonight["gap_count"] >= 1
        ids = list(Compound.objects.values_list("pk", flat=True))
        start, end = night - timezone.timedelta(days=29), night
        assert 0.8 < evidence.figure_outpost_cover(ids, start, end) < 1
        assert evidence.figure_missed_per_100(ids, start, end) < 10
        client.force_login(User.objects.get(username="manager"))
        page = client.get(f"/console/patrol/c/{demo.pk}/timeline/")
        assert page.status_code == 200 and 'data-testid="gap"' in page.content.decode()
        report = client.get(f"/console/patrol/c/{demo.pk}/evidence/")
        assert report.status_code == 200
        assert client.get(f"/console/patrol/c/{demo.pk}/evidence.xlsx").status_code == 200
