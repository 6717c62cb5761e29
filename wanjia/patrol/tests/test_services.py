from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from wanjia.core.errors import Forbidden, Invalid
from wanjia.core.models import AuditLog, Notification
from wanjia.patrol import services
from wanjia.patrol.models import CheckIn, Flag, Run, RunStatus, RunStop, Team

from .conftest import NIGHT

pytestmark = pytest.mark.django_db

AT_2205 = timezone.make_aware(datetime(2026, 3, 10, 22, 5))


def _refusals():
    return AuditLog.objects.filter(action="patrol.checkin.refused").count()


def test_runs_from_schedule_every_two_hours_and_idempotent(patrol):
    runs = Run.objects.filter(route=patrol.route)
    starts = [timezone.localtime(r.starts_at).strftime("%H:%M") for r in runs]
    assert starts == ["22:00", "00:00", "02:00", "04:00"]
    dues = [timezone.localtime(s.due_at).strftime("%H:%M") for s in runs[0].stops.all()]
    assert dues == ["22:05", "22:15", "22:25"]
    again = services.runs_generate_for(patrol.schedule, NIGHT, NIGHT + timedelta(hours=12))
    assert again == 0 and runs.count() == 4
    with time_machine.travel(AT_2205, tick=False):
        services.runs_generate()  # the periodic job over the same night adds nothing either
    tonight = runs.filter(starts_at__lt=NIGHT + timedelta(hours=12))
    assert tonight.count() == 4  # the night's runs were not made twice
    assert services.runs_generate(now=AT_2205) == 0


@time_machine.travel(AT_2205, tick=False)
def test_checkin_counts_for_the_due_stop_and_replay_returns_the_same(patrol):
    token = services.qr_token(patrol.cps[0])
    first, replayed = services.checkin(actor=patrol.staff_a, token=token, key="k-1")
    assert not replayed and first.run_stop is not None
    assert timezone.localtime(first.run_stop.due_at).strftime("%H:%M") == "22:05"
    again, replayed = services.checkin(actor=patrol.staff_a, token=token, key="k-1")
    assert replayed and again.pk == first.pk
    assert CheckIn.objects.count() == 1
    assert Run.objects.get(pk=first.run_id).status == RunStatus.IN_PROGRESS
    assert first.flags == []


@time_machine.travel(AT_2205, tick=False)
def test_forged_other_compound_and_retired_tokens_are_refused_and_recorded(patrol):
    staff = patrol.staff_a
    forged = signing.dumps({"c": patrol.cps[0].pk, "k": patrol.a.pk}, salt="other")
    for token in ("nonsense", forged, services.qr_token(patrol.b_cps[0])):
        before = _refusals()
        with pytest.raises(Invalid) as exc:
            services.checkin(actor=staff, token=token, key=f"x-{token[:8]}")
        assert exc.value.status == 422 and "token" in exc.value.errors
        assert _refusals() == before + 1
    good = services.qr_token(patrol.cps[0])
    # change the signed payload (whatever the ids are on this database)
    tampered = ("A" if good[0] != "A" else "B") + good[1:]
    with pytest.raises(Invalid):
        services.checkin(actor=staff, token=tampered, key="t")
    services.checkpoint_retire(actor=patrol.manager_a, checkpoint=patrol.cps[1])
    with pytest.raises(Invalid) as exc:
        services.checkin(actor=staff, token=services.qr_token(patrol.cps[1]), key="r")
    assert "停用" in exc.value.message
    assert AuditLog.objects.filter(
        action="patrol.checkin.refused", detail__reason="retired"
    ).exists()
    assert CheckIn.objects.count() == 0


def test_a_role_without_patrol_duty_is_forbidden(patrol):
    with pytest.raises(Forbidden):
        services.checkin(actor=patrol.resident_a, token=services.qr_token(patrol.cps[0]), key="z")


@time_machine.travel(AT_2205, tick=False)
def test_flags_inform_but_never_block(patrol):
    cps, staff = patrol.cps, patrol.staff_a
    far = services.checkin(
        actor=staff, token=services.qr_token(cps[2]), key="a", lat=29.60, lng=105.05, device_id="d1"
    )[0]
    # outside the radius; out of order on a strict route (stops 1 and 2 not done)
    assert Flag.OUTSIDE_RADIUS in far.flags and Flag.OUT_OF_ORDER in far.flags
    # 200 m in 30 s after the last one: impossible on foot
    fast = services.checkin(
        actor=staff,
        token=services.qr_token(cps[0]),
        key="b",
        scanned_at=timezone.now() + timedelta(seconds=30),
    )[0]
    assert Flag.IMPOSSIBLE_SPEED in fast.flags
    # a phone clock 6 min ahead, and the same device for another guard
    other = services.checkin(
        actor=patrol.volunteer_a,
        token=services.qr_token(cps[1]),
        key="c",
        scanned_at=timezone.now() + timedelta(minutes=6),
        device_id="d1",
    )[0]
    assert Flag.CLOCK_OFF in other.flags and Flag.SHARED_DEVICE in other.flags
    # a scan queued offline and sent later: its own "sent at" clock is right
    late = services.checkin(
        actor=patrol.secretary_a,
        token=services.qr_token(cps[1]),
        key="d",
        scanned_at=timezone.now() - timedelta(minutes=20),
        sent_at=timezone.now(),
    )[0]
    assert Flag.CLOCK_OFF not in late.flags
    assert CheckIn.objects.count() == 4


def test_missed_alert_fires_once_at_the_right_minute(patrol):
    team = Team.objects.create(compound=patrol.a, name="先锋队", leader=patrol.secretary_a)
    assert team
    due = timezone.make_aware(datetime(2026, 3, 10, 22, 5))
    with time_machine.travel(due + timedelta(minutes=14), tick=False):
        assert services.stops_sweep_overdue() == 0
    with time_machine.travel(due + timedelta(minutes=15), tick=False):
        assert services.stops_sweep_overdue() == 1
        assert services.stops_sweep_overdue() == 0
    with time_machine.travel(due + timedelta(minutes=16), tick=False):
        assert services.stops_sweep_overdue() == 0
    stop = RunStop.objects.get(due_at=due, run__route=patrol.route)
    assert stop.missed and stop.alerted_at == due + timedelta(minutes=15)
    told = set(
        Notification.objects.filter(kind="patrol.missed").values_list("recipient", flat=True)
    )
    assert told == {patrol.secretary_a.pk, patrol.manager_a.pk}


def test_missed_alert_is_written_in_each_readers_language(patrol):
    Team.objects.create(compound=patrol.a, name="先锋队", leader=patrol.secretary_a)
    patrol.manager_a.language = "en"
    patrol.manager_a.save(update_fields=["language"])
    due = timezone.make_aware(datetime(2026, 3, 10, 22, 5))
    with time_machine.travel(due + timedelta(minutes=15), tick=False):
        assert services.stops_sweep_overdue() == 1
    notes = Notification.objects.filter(kind="patrol.missed")
    english = notes.get(recipient=patrol.manager_a)
    chinese = notes.get(recipient=patrol.secretary_a)
    assert english.title.startswith("Missed checkpoint") and "巡更" not in english.title
    assert chinese.title.startswith("巡更漏点")


@time_machine.travel(AT_2205, tick=False)
def test_incident_becomes_a_dispute_case_through_the_intent(patrol):
    incident = services.incident_report(
        actor=patrol.staff_a,
        compound=patrol.a,
        category="water",
        note="河边积水没过脚踝",
        place="河边",
    )
    handed = services.incident_hand_to_dispute(actor=patrol.manager_a, incident=incident)
    from wanjia.disputes.models import Case

    assert handed.handed_to == "dispute"
    assert Case.objects.filter(pk=int(handed.handed_ref), compound=patrol.a).exists()


def test_hand_over_to_repair_opens_a_ticket_through_the_intent(patrol):
    from wanjia.core.errors import Conflict
    from wanjia.tickets.models import Ticket

    incident = services.incident_report(
        actor=patrol.staff_a, compound=patrol.a, category="facility", note="路灯坏了", place="北门"
    )
    with pytest.raises(Forbidden):
        services.incident_hand_over(actor=patrol.staff_a, incident=incident, to="repair")
    handed = services.incident_hand_over(actor=patrol.manager_a, incident=incident, to="repair")
    ticket = Ticket.objects.get(pk=int(handed.handed_ref))
    assert (ticket.compound_id, ticket.source, ticket.description) == (
        patrol.a.pk,
        "patrol",
        "路灯坏了",
    )
    with pytest.raises(Conflict):
        services.incident_hand_over(actor=patrol.manager_a, incident=incident, to="repair")


@time_machine.travel(AT_2205, tick=False)
def test_retiring_a_checkpoint_drops_it_from_the_rounds_ahead(patrol):
    cp = patrol.cps[1]
    assert RunStop.objects.filter(checkpoint=cp).count() == 4
    services.checkpoint_retire(actor=patrol.manager_a, checkpoint=cp)
    assert RunStop.objects.filter(checkpoint=cp).count() == 0  # all four were still ahead
    assert services.runs_generate_for(patrol.schedule, NIGHT, NIGHT + timedelta(days=2)) == 4
    assert not RunStop.objects.filter(checkpoint=cp).exists()


@time_machine.travel(AT_2205, tick=False)
def test_a_stop_taken_meanwhile_leaves_the_checkin_unscheduled_and_the_run_as_the_other_made_it(
    patrol, monkeypatch
):
    from wanjia.patrol.services import checkins

    token = services.qr_token(patrol.cps[0])
    other, _r = services.checkin(actor=patrol.volunteer_a, token=token, key="v-1")
    stop = RunStop.objects.get(pk=other.run_stop_id)
    # the second scan picked the same stop before the first one's claim landed
    # (on PostgreSQL the claim is part of the statement that writes the record)
    picked = checkins._candidate_stop(patrol.cps[0], timezone.now())
    assert picked is None  # taken: a scan now would not pick it
    real_reads = checkins._scan_reads

    def picked_before_the_claim(*args, **kwargs):
        RunStop.objects.filter(pk=stop.pk).update(checkin=None)
        found = real_reads(*args, **kwargs)
        RunStop.objects.filter(pk=stop.pk).update(checkin=other)
        assert found[2].pk == stop.pk
        return found

    monkeypatch.setattr(checkins, "_scan_reads", picked_before_the_claim)
    late, _r = services.checkin(actor=patrol.staff_a, token=token, key="s-1")
    late.refresh_from_db()
    assert late.run_id is None and late.run_stop_id is None
    assert Flag.NO_RUN in late.flags
    assert RunStop.objects.get(pk=stop.pk).checkin_id == other.pk
    assert Run.objects.get(pk=other.run_id).status == RunStatus.IN_PROGRESS


@time_machine.travel(AT_2205, tick=False)
def test_the_last_stop_checked_in_makes_the_run_done_and_a_missed_one_partial(patrol):
    run = Run.objects.filter(route=patrol.route).order_by("starts_at").first()
    stops = list(run.stops.order_by("order"))
    RunStop.objects.filter(pk=stops[2].pk).update(missed=True)
    for n, stop in enumerate(stops[:2]):
        cp = next(c for c in patrol.cps if c.pk == stop.checkpoint_id)
        services.checkin(actor=patrol.staff_a, token=services.qr_token(cp), key=f"d-{n}")
    run.refresh_from_db()
    assert run.status == RunStatus.PARTIAL  # the missed stop has no check-in
    cp = next(c for c in patrol.cps if c.pk == stops[2].checkpoint_id)
    services.checkin(actor=patrol.staff_a, token=services.qr_token(cp), key="d-2")
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
