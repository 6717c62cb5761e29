"""Runs generated ahead from the schedules, and the missed-checkpoint sweep.

Both are periodic jobs and both are idempotent: a run is unique per (route,
start), so generating twice (two workers, a retry) makes nothing new; a stop is
marked missed by a conditional UPDATE on ``alerted_at IS NULL``, so the alert
for it goes out once however many sweeps see it."""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.models import Membership, ScopeType
from wanjia.core.notify import notify
from wanjia.core.roles import Role

from ..models import RosterShift, Run, RunStatus, RunStop, Schedule, Team

GRACE = timedelta(minutes=15)
AHEAD = timedelta(hours=36)


def starts_of(schedule: Schedule, night: date) -> list[datetime]:
    """The round starts of ``schedule`` in the night that begins on ``night``."""
    if str(night.isoweekday()) not in schedule.weekdays:
        return []
    first = timezone.make_aware(datetime.combine(night, schedule.start))
    last_day = night if schedule.end > schedule.start else night + timedelta(days=1)
    end = timezone.make_aware(datetime.combine(last_day, schedule.end))
    step = timedelta(minutes=schedule.every_minutes)
    out, at = [], first
    while at < end:
        out.append(at)
        at += step
    return out


def _make_run(schedule: Schedule, starts_at: datetime, stops) -> Run | None:
    due, rows = starts_at, []
    for stop in stops:
        due = due + timedelta(minutes=stop.minutes)
        rows.append((stop, due))
    try:
        with transaction.atomic():
            run = Run.objects.create(
                route=schedule.route,
                compound_id=schedule.route.compound_id,
                schedule=schedule,
                starts_at=starts_at,
                ends_at=due,
            )
            RunStop.objects.bulk_create(
                RunStop(run=run, checkpoint_id=s.checkpoint_id, order=s.order, due_at=d)
                for s, d in rows
            )
    except IntegrityError:
        return None  # another worker made it
    return run


def runs_generate_for(schedule: Schedule, since: datetime, until: datetime) -> int:
    """Make the runs of ``schedule`` starting in [since, until); returns how many."""
    stops = list(schedule.route.stops.filter(checkpoint__retired_at__isnull=True))
    if not stops:
        return 0
    have = set(
        Run.objects.filter(
            route=schedule.route_id, starts_at__gte=since, starts_at__lt=until
        ).values_list("starts_at", flat=True)
    )
    made = 0
    night = timezone.localtime(since).date() - timedelta(days=1)
    last = timezone.localtime(until).date()
    while night <= last:
        for at in starts_of(schedule, night):
            if since <= at < until and at not in have:
                made += _make_run(schedule, at, stops) is not None
        night += timedelta(days=1)
    return made


def runs_generate(*, now: datetime | None = None, ahead: timedelta = AHEAD) -> int:
    """Every active schedule's runs from an hour ago to ``ahead``."""
    now = now or timezone.now()
    made = 0
    schedules = Schedule.objects.filter(active=True, route__active=True).select_related("route")
    for schedule in schedules:
        made += runs_generate_for(schedule, now - timedelta(hours=1), now + ahead)
    return made


def leaders_on_duty(compound_id: int, at: datetime) -> list:
    """The leaders of the teams on the roster at ``at``; every team leader of
    the compound when no roster covers that moment."""
    rostered = RosterShift.objects.filter(
        compound_id=compound_id, starts_at__lte=at, ends_at__gt=at, team__isnull=False
    ).values("team_id")
    teams = Team.objects.filter(compound_id=compound_id, leader__isnull=False)
    on_duty = teams.filter(pk__in=rostered)
    return [t.leader for t in (on_duty if on_duty.exists() else teams).select_related("leader")]


def managers_of(compound_id: int) -> list:
    rows = Membership.objects.filter(
        role=Role.COMPOUND_MANAGER,
        scope_type=ScopeType.COMPOUND,
        compound_id=compound_id,
        user__is_active=True,
    ).select_related("user")
    return [m.user for m in rows]


def stops_sweep_overdue(*, now: datetime | None = None, grace: timedelta = GRACE) -> int:
    """Mark each stop overdue past ``grace`` missed and tell the leader on duty
    and the compound's managers, once per stop. Returns how many stops."""
    now = now or timezone.now()
    overdue = RunStop.objects.filter(
        checkin__isnull=True,
        alerted_at__isnull=True,
        due_at__lte=now - grace,
        due_at__gt=now - timedelta(days=2),
    ).select_related("run__route", "checkpoint")
    alerted = 0
    for stop in overdue:
        with transaction.atomic():
            won = RunStop.objects.filter(
                pk=stop.pk, alerted_at__isnull=True, checkin__isnull=True
            ).update(missed=True, alerted_at=now)
            if not won:
                continue
            alerted += 1
            compound_id = stop.run.compound_id
            due = timezone.localtime(stop.due_at)
            facts = {
                "route": stop.run.route.name,
                "due": due.strftime("%H:%M"),
                "point": stop.checkpoint.name,
                "grace": int(grace.total_seconds() // 60),
            }
            notify(
                recipients=[*leaders_on_duty(compound_id, stop.due_at), *managers_of(compound_id)],
                # rendered in each reader's language (a callable: see core.notify)
                title=lambda f=facts: _("巡更漏点：%(point)s") % f,
                body=lambda f=facts: (
                    _("%(route)s %(due)s 应到 %(point)s，超过 %(grace)s 分钟仍未签到。") % f
                ),
                link=reverse("patrol_run", args=[stop.run_id]),
                kind="patrol.missed",
            )
            _settle(stop.run_id)
    return alerted


def _settle(run_id: int) -> None:
    stops = RunStop.objects.filter(run=run_id)
    if stops.filter(checkin__isnull=True, missed=False).exists():
        Run.objects.filter(pk=run_id).update(status=RunStatus.IN_PROGRESS)
    elif stops.filter(checkin__isnull=True).exists():
        Run.objects.filter(pk=run_id).update(status=RunStatus.PARTIAL)
    else:
        Run.objects.filter(pk=run_id).update(status=RunStatus.DONE)
