"""Archiving old patrol check-ins (the city's largest table) leaves the
supervision rollups and the regulator's pages for past months as they were:
they read the Rollup rows, and the daily rollup job never recomputes a month
that old."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from wanjia.core import retention
from wanjia.patrol import services
from wanjia.patrol.models import CheckIn, RunStop
from wanjia.patrol.tests.conftest import build_patrol
from wanjia.supervision.rollups import selectors
from wanjia.supervision.rollups.models import Level, Rollup
from wanjia.supervision.rollups.services import rollup_due, rollup_month

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 12, 10, 9, 0))


def at(y, m, d, hh=0):
    return timezone.make_aware(datetime(y, m, d, hh))


def _night_checked_in(schedule, user, start, every=1):
    services.runs_generate_for(schedule, start, start + timedelta(hours=12))
    stops = RunStop.objects.filter(
        run__starts_at__gte=start, run__starts_at__lt=start + timedelta(hours=12)
    ).select_related("run")
    for n, stop in enumerate(stops.order_by("due_at", "pk")):
        if n % every:
            continue
        c = CheckIn.objects.create(
            checkpoint_id=stop.checkpoint_id,
            compound_id=stop.run.compound_id,
            run_id=stop.run_id,
            run_stop=stop,
            user=user,
            scanned_at=stop.due_at,
            received_at=stop.due_at,
            key=f"k{stop.pk}",
        )
        RunStop.objects.filter(pk=stop.pk).update(checkin=c)


def _pages(w, period):
    city = w.a.community.parent.parent.parent_id
    return (
        selectors.kpis(Level.COMPOUND, w.a.pk, period),
        selectors.kpis(Level.CITY, city, period),
        selectors.compound_ranking(period),
        selectors.series(Level.COMPOUND, w.a.pk, "patrol.completion", ["2024-02", "2024-03"]),
        sorted(Rollup.objects.values_list("period", "level", "unit_id", "code", "value")),
    )


def test_archiving_check_ins_leaves_past_rollups_and_pages_unchanged(world, settings, tmp_path):
    w = world
    settings.ARCHIVE_DIR = tmp_path
    settings.EVENT_RETENTION_MONTHS = 24  # on 2026-12-10: the months before 2024-12
    _cps, _route, schedule_a = build_patrol(w, w.a, w.manager_a)
    _cps, _route, schedule_b = build_patrol(w, w.b, w.outsider_b)
    _night_checked_in(schedule_a, w.staff_a, at(2024, 3, 10, 21))  # every stop
    _night_checked_in(schedule_b, w.outsider_b, at(2024, 3, 10, 21), every=2)  # half
    _night_checked_in(schedule_a, w.staff_a, at(2026, 12, 8, 21), every=3)  # kept
    recent = set(CheckIn.objects.filter(received_at__gte=at(2026, 12, 1)).values_list("pk"))
    with time_machine.travel(NOW, tick=False):
        for period in ("2024-02", "2024-03", "2026-12"):
            rollup_month(period)
        before = _pages(w, "2024-03")
        assert before[0][[k["code"] for k in before[0]].index("patrol.completion")]["value"] == 1.0
        done = retention.archive_due()
        assert {(r.table, r.period) for r in done} == {("patrol.checkins", "2024-03")}
        assert set(CheckIn.objects.values_list("pk")) == recent  # newer check-ins kept
        assert _pages(w, "2024-03") == before
        rollup_due()  # the next night's job: this month only
        assert _pages(w, "2024-03") == before
        # an operator rebuilding that month by hand is stopped, not misled
        with pytest.raises(CommandError, match="2024-03 .patrol.checkins."):
            call_command("supervision_rollup", "--from", "2024-02", "--to", "2024-03")
        assert _pages(w, "2024-03") == before
        call_command("supervision_rollup", "--from", "2024-02", "--to", "2024-02")  # not archived
    archived = done[0]
    assert archived.archived == archived.deleted > 0
    # the month reads back (an inquiry into a night two years ago)
    call_command("loaddata", str(tmp_path / "patrol.checkins" / "2024-03.jsonl.gz"), verbosity=0)
    assert CheckIn.objects.count() == len(recent) + archived.archived
