"""The monthly evidence report and the regulator's figures on a small hand-built
world whose every number is known:

- March 2026, compound A: rounds on the nights of 10 and 31 March (4 rounds of
  3 stops each night: 24 stops), 3 missed (one in the first round of the 10th,
  two in the third round of the 31st); the night of 28 February (its rounds run
  into 1 March) belongs to February and counts for nothing here.
- Check-ins: staff 11 (night of the 10th), volunteer 10 (night of the 31st);
  flags: outside the radius 3, clock off 1, out of order 1 (4 check-ins).
- Incidents: 4 in March, 3 handed over after 30, 90 and 70 minutes (median 70).
- Outposts: 北门岗 22:00–06:00 (480 min a night), 南门岗 20:00–00:00 (240);
  shifts on the 10th cover 420 and 180 minutes, a shift 21:00–22:30 on the 11th
  counts 30; 31 nights → 22 320 minutes required, 630 staffed, 62 gaps."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wanjia.core import figures
from wanjia.patrol import evidence, selectors, services
from wanjia.patrol.models import CheckIn, Incident, Outpost, OutpostShift, RunStop

from .conftest import build_patrol

pytestmark = pytest.mark.django_db


def at(y, m, d, hh, mm=0):
    return timezone.make_aware(datetime(y, m, d, hh, mm))


AFTER = at(2026, 4, 5, 12)


def _night(schedule, y, m, d):
    start = at(y, m, d, 21)
    services.runs_generate_for(schedule, start, start + timedelta(hours=12))
    return list(
        RunStop.objects.filter(
            run__starts_at__gte=start, run__starts_at__lt=start + timedelta(hours=12)
        )
        .order_by("run__starts_at", "order")
        .select_related("run")
    )


def _checkin(stop, user, flags=()):
    c = CheckIn.objects.create(
        checkpoint_id=stop.checkpoint_id,
        compound_id=stop.run.compound_id,
        run_id=stop.run_id,
        run_stop=stop,
        user=user,
        scanned_at=stop.due_at,
        received_at=stop.due_at,
        key=f"k{stop.pk}",
        flags=list(flags),
    )
    RunStop.objects.filter(pk=stop.pk).update(checkin=c)


def _incident(world, created, handed_minutes, category, severity):
    return Incident.objects.create(
        compound=world.a,
        reported_by=world.staff_a,
        category=category,
        severity=severity,
        note="x",
        created_at=created,
        handed_to="dispute" if handed_minutes is not None else "",
        handed_at=created + timedelta(minutes=handed_minutes)
        if handed_minutes is not None
        else None,
    )


@pytest.fixture
def march(world):
    return build_march(world)


def build_march(w):
    _cps, _route, schedule = build_patrol(w, w.a, w.manager_a)
    feb = _night(schedule, 2026, 2, 28)
    tenth = _night(schedule, 2026, 3, 10)
    last = _night(schedule, 2026, 3, 31)
    assert len(feb) == len(tenth) == len(last) == 12
    for stop in feb:
        _checkin(stop, w.staff_a, ["clock_off"])
    flags = {0: ["outside_radius"], 4: ["outside_radius"], 7: ["clock_off", "out_of_order"]}
    for n, stop in enumerate(tenth):
        if n != 1:  # round 1, stop 2 missed
            _checkin(stop, w.staff_a, flags.get(n, ()))
    for n, stop in enumerate(last):
        if n not in (6, 8):  # round 3, stops 1 and 3 missed
            _checkin(stop, w.volunteer_a, ["outside_radius"] if n == 0 else ())
    _incident(w, at(2026, 3, 10, 23), 30, "water", "high")
    _incident(w, at(2026, 3, 11, 1), 90, "facility", "low")
    _incident(w, at(2026, 3, 31, 23), 70, "stranger", "high")
    _incident(w, at(2026, 3, 20, 22), None, "water", "medium")
    _incident(w, at(2026, 3, 1, 3), 5, "noise", "low")  # February's last night
    north = Outpost.objects.create(
        compound=w.a, name="北门岗", staffed_from=time(22), staffed_to=time(6)
    )
    south = Outpost.objects.create(
        compound=w.a, name="南门岗", staffed_from=time(20), staffed_to=time(0)
    )
    gone = Outpost.objects.create(compound=w.a, name="旧岗", active=False)
    for outpost, user, start, end in (
        (north, w.staff_a, at(2026, 3, 10, 22), at(2026, 3, 11, 2)),
        (north, w.volunteer_a, at(2026, 3, 11, 3), at(2026, 3, 11, 6)),
        (south, w.volunteer_a, at(2026, 3, 10, 20), at(2026, 3, 10, 23)),
        (north, w.staff_a, at(2026, 3, 11, 21), at(2026, 3, 11, 22, 30)),
        (gone, w.staff_a, at(2026, 3, 12, 20), at(2026, 3, 13, 6)),
    ):
        OutpostShift.objects.create(outpost=outpost, user=user, starts_at=start, ends_at=end)
    w.north, w.south = north, south
    return w


@time_machine.travel(AFTER, tick=False)
def test_month_report_figures_are_exact(march):
    r = evidence.evidence(march.a, 2026, 3)
    assert (r["rounds_planned"], r["rounds_done"]) == (8, 6)
    assert (r["due"], r["checked"], r["missed"]) == (24, 21, 3)
    assert (
        r["completion"]
        == 21 / 24
        == selectors.completion([march.a.pk], *evidence.month_nights(2026, 3))
    )
    assert r["missed_per_100"] == 12.5
    # the regulator's table asks every group at once: the same answers, one query
    first, last = evidence.month_nights(2026, 3)
    groups = [[march.a.pk], [], [march.a.pk, march.b.pk]]
    with CaptureQueriesContext(connection) as queries:
        many = selectors.completion_many(groups, first, last)
    assert len(queries) == 1
    assert many == [21 / 24, None, selectors.completion([march.a.pk, march.b.pk], first, last)]
    missed = evidence.figure_missed_per_100_many(groups, first, last)
    assert missed[:2] == [12.5, None]
    assert missed[2] == evidence.figure_missed_per_100([march.a.pk, march.b.pk], first, last)
    assert len(r["missed_rows"]) == 3 and sum(n for _c, n in r["missed_by_checkpoint"]) == 3
    assert (r["checkins"], r["flagged"]) == (21, 4)
    counts = {f["code"]: f["count"] for f in r["flags"]}
    assert counts == {
        "outside_radius": 3,
        "impossible_speed": 0,
        "clock_off": 1,
        "out_of_order": 1,
        "shared_device": 0,
        "no_run": 0,
    }
    assert (r["incidents"], r["handed"], r["response_median"]) == (4, 3, 70)
    grid = {row["label"]: row["counts"] for row in r["incident_rows"]}
    assert grid["积水/汛情"] == [0, 1, 1] and grid["设施损坏"] == [1, 0, 0]
    assert grid["可疑人员"] == [0, 0, 1] and r["severity_totals"] == [1, 1, 2]
    cover = r["outposts"]
    assert (cover["required"], cover["staffed"], cover["gaps"]) == (22320, 630, 62)
    assert cover["share"] == 630 / 22320
    rows = {row["outpost"].name: row for row in cover["rows"]}
    assert set(rows) == {"北门岗", "南门岗"}  # the retired one is not required
    assert (rows["北门岗"]["staffed"], rows["北门岗"]["gaps"]) == (450, 31)
    assert (rows["南门岗"]["staffed"], rows["南门岗"]["gaps"]) == (180, 31)
    guards = {g["name"]: g for g in r["guards"]}
    staff, vol = guards["赵保安"], guards["孙志愿"]
    assert (staff["checkins"], staff["flagged"], staff["rounds"]) == (11, 3, 4)
    assert (staff["due"], staff["done"], staff["completion"]) == (12, 11, 11 / 12)
    assert (vol["checkins"], vol["flagged"], vol["rounds"], vol["completion"]) == (
        10,
        1,
        4,
        10 / 12,
    )


@time_machine.travel(AFTER, tick=False)
def test_regulator_figures_match_the_report(march):
    ids = [march.a.pk]
    march_ = (date(2026, 3, 1), date(2026, 3, 31))
    assert figures.figure("patrol.missed_per_100").compute(ids, *march_) == 12.5
    assert figures.figure("patrol.outpost_cover").compute(ids, *march_) == 630 / 22320
    assert figures.figure("patrol.incident_response").compute(ids, *march_) == 70
    one = (date(2026, 3, 10), date(2026, 3, 10))
    assert figures.figure("patrol.outpost_cover").compute(ids, *one) == 600 / 720
    # another compound has nothing to measure: no figure rather than zero
    other = [march.b.pk]
    for key in ("patrol.missed_per_100", "patrol.outpost_cover", "patrol.incident_response"):
        assert figures.figure(key).compute(other, *march_) is None
    row = figures.table([("A", ids)], *march_)[0]
    keys = [f.key for f in figures.registered()]
    assert row["values"][keys.index("patrol.outpost_cover")] == 630 / 22320


def test_figures_are_registered_with_their_notes():
    for key, kind, better in (
        ("patrol.missed_per_100", figures.COUNT, figures.LOWER),
        ("patrol.outpost_cover", figures.RATIO, figures.HIGHER),
        ("patrol.incident_response", figures.MINUTES, figures.LOWER),
    ):
        f = figures.figure(key)
        assert (f.app, f.kind, f.better) == ("patrol", kind, better)
        assert str(f.note) and str(f.label)


@time_machine.travel(at(2026, 3, 11, 1), tick=False)
def test_cover_counts_only_the_hours_gone_by(march):
    """At 01:00 on the 11th: 北门岗 has been required 22:00–01:00 (all staffed),
    南门岗 20:00–00:00 (staffed 20:00–23:00)."""
    c = evidence.cover([march.a.pk], date(2026, 3, 10), date(2026, 3, 10))
    assert (c["required"], c["staffed"], c["gaps"]) == (420, 360, 1)


@time_machine.travel(AFTER, tick=False)
def test_night_timeline_rows_gaps_and_runs(march):
    t = evidence.night_timeline(march.a, date(2026, 3, 10))
    rows = {r["outpost"].name: r for r in t["rows"]}
    north = rows["北门岗"]
    assert [
        (timezone.localtime(g["start"]).hour, timezone.localtime(g["end"]).hour)
        for g in north["gaps"]
    ] == [(2, 3)]
    assert north["pct"] == round(420 * 100 / 480) and len(north["shifts"]) == 1 + 1  # 22–02, 03–06
    assert [
        (timezone.localtime(g["start"]).hour, timezone.localtime(g["end"]).hour)
        for g in rows["南门岗"]["gaps"]
    ] == [(23, 0)]
    assert len(t["runs"]) == 4 and t["gap_count"] == 2
    assert float(t["hours"][0]["left"]) == 0
