"""Every scoped read of the patrol app."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from wanjia.core.models import Compound
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import get_or_404, scope_q

from .models import (
    CheckIn,
    Checkpoint,
    Flag,
    Incident,
    Route,
    Run,
    RunStatus,
    RunStop,
)

__all__ = ["get_or_404"]

VIEW_ROLES = CAPABILITIES["patrol.view"] | CAPABILITIES["patrol.manage"]


def _roles(action: str):
    return CAPABILITIES[action]


def compounds_for(user, action: str = "patrol.view"):
    roles = _roles(action) | (VIEW_ROLES if action == "patrol.view" else set())
    return Compound.objects.filter(scope_q(user, roles=roles, compound="id")).order_by("code")


def compounds_seen(user):
    """Compounds where the user holds any membership (for a 404 before a 403)."""
    return Compound.objects.filter(scope_q(user, compound="id"))


def checkpoints_visible_to(user):
    return Checkpoint.objects.filter(scope_q(user, compound="compound_id")).select_related(
        "compound"
    )


def routes_visible_to(user):
    return Route.objects.filter(scope_q(user, compound="compound_id")).select_related("compound")


def runs_visible_to(user):
    return Run.objects.filter(scope_q(user, compound="compound_id")).select_related(
        "route", "compound"
    )


def incidents_visible_to(user):
    return Incident.objects.filter(scope_q(user, compound="compound_id")).select_related(
        "compound", "checkpoint", "reported_by"
    )


def compound_checkpoints(user, compound):
    """Every checkpoint of a compound, retired ones too (the console's list)."""
    return checkpoints_visible_to(user).filter(compound=compound)


def live_checkpoints(user, compound):
    """The checkpoints of a compound still in use (API list, route form, QR sheet)."""
    return checkpoints_visible_to(user).filter(compound=compound, retired_at__isnull=True)


def compound_routes(user, compound):
    """A compound's routes with their stops and schedules (the routes page)."""
    return (
        routes_visible_to(user)
        .filter(compound=compound)
        .prefetch_related("stops__checkpoint", "schedules")
    )


def recent_incidents(user, compound, *, limit: int = 10):
    """The latest incidents of a compound (the board)."""
    return incidents_visible_to(user).filter(compound=compound)[:limit]


# ---- the rows the pages fetch (moved out of the views) ----------------------------------------
# The gates (core.scoping.gate in the views) take these querysets: the tenancy rule stays
# there, the shape of what is fetched lives here.


def checkpoint_rows():
    return Checkpoint.objects.select_related("compound")


def run_rows():
    return Run.objects.select_related("route", "compound")


def incident_rows():
    return Incident.objects.select_related("compound")


def night_bounds(night: date) -> tuple[datetime, datetime]:
    """A night runs from noon of ``night`` to noon of the next day (local)."""
    start = timezone.make_aware(datetime.combine(night, time(12)))
    return start, start + timedelta(days=1)


def current_night(now: datetime | None = None) -> date:
    """The night a moment belongs to: before noon it is last evening's night."""
    local = timezone.localtime(now or timezone.now())
    return local.date() if local.hour >= 12 else local.date() - timedelta(days=1)


def runs_of_night(compound_id: int, night: date):
    start, end = night_bounds(night)
    return (
        Run.objects.filter(compound_id=compound_id, starts_at__gte=start, starts_at__lt=end)
        .select_related("route")
        .annotate(
            n_done=Count("stops", filter=Q(stops__checkin__isnull=False)),
            n_missed=Count("stops", filter=Q(stops__checkin__isnull=True, stops__missed=True)),
            n_stops=Count("stops"),
        )
        .order_by("starts_at", "id")
    )


def runs_on_date(runs, day: date):
    """Runs starting on local calendar date ``day``."""
    start = timezone.make_aware(datetime.combine(day, time(0)))
    return runs.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))


def board(compound, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    night = current_night(now)
    runs = list(runs_of_night(compound.pk, night))
    groups = {"in_progress": [], "done": [], "missed": [], "planned": []}
    for run in runs:
        if run.status == RunStatus.PARTIAL or (run.n_missed and run.status != RunStatus.DONE):
            groups["missed"].append(run)
        elif run.status == RunStatus.DONE:
            groups["done"].append(run)
        elif run.starts_at <= now:
            groups["in_progress"].append(run)
        else:
            groups["planned"].append(run)
    return {"night": night, "runs": runs, "groups": groups, "now": now}


def my_round(user, now: datetime | None = None) -> dict:
    """Tonight's runs in the compounds where ``user`` patrols, with the next
    stop to walk (the earliest due that nobody checked in yet)."""
    now = now or timezone.now()
    compounds = Compound.objects.filter(scope_q(user, roles=_roles("patrol.patrol"), compound="id"))
    night = current_night(now)
    start, end = night_bounds(night)
    if timezone.localtime(now).hour >= 6 and timezone.localtime(now).hour < 12:
        # morning: the coming night is tonight
        night = night + timedelta(days=1)
        start, end = night_bounds(night)
    runs = list(
        Run.objects.filter(compound__in=compounds, starts_at__gte=start, starts_at__lt=end)
        .select_related("route", "compound")
        .prefetch_related("stops__checkpoint")
        .order_by("starts_at")
    )
    upcoming = (
        RunStop.objects.filter(
            run__in=runs, checkin__isnull=True, due_at__gte=now - timedelta(minutes=60)
        )
        .select_related("checkpoint", "run__route")
        .order_by("due_at", "order")
    )
    return {"night": night, "runs": runs, "next": upcoming.first(), "upcoming": upcoming[:8]}


def run_detail(run) -> dict:
    stops = list(run.stops.select_related("checkpoint", "checkin__user").order_by("order"))
    checkins = list(
        CheckIn.objects.filter(run=run).select_related("checkpoint", "user").order_by("scanned_at")
    )
    for c in checkins + [s.checkin for s in stops if s.checkin]:
        c.flag_labels = [flag_label(f) for f in c.flags]
    return {"run": run, "stops": stops, "checkins": checkins}


def flag_label(code: str) -> str:
    try:
        return str(Flag(code).label)
    except ValueError:
        return code


def due_and_done_by_compound(groups, start: date, end: date) -> list[tuple[int, int]]:
    """``(stops due, stops checked in)`` of each group of compounds over the
    runs starting on local dates [start, end], in one grouped query (the
    regulator's table asks for every district, street or compound at once)."""
    lo = timezone.make_aware(datetime.combine(start, time(12)))
    hi = timezone.make_aware(datetime.combine(end + timedelta(days=1), time(12)))
    every = {cid for ids in groups for cid in ids}
    rows = (
        RunStop.objects.filter(
            run__compound_id__in=every,
            run__starts_at__gte=lo,
            run__starts_at__lt=hi,
            due_at__lt=timezone.now(),
        )
        .order_by()
        .values_list("run__compound_id")
        .annotate(due=Count("pk"), done=Count("pk", filter=Q(checkin__isnull=False)))
    )
    by_compound = {cid: (due, done) for cid, due, done in rows}
    out = []
    for ids in groups:
        pairs = [by_compound.get(cid, (0, 0)) for cid in ids]
        out.append((sum(p[0] for p in pairs), sum(p[1] for p in pairs)))
    return out


def completion_many(groups, start: date, end: date) -> list[float | None]:
    return [
        done / due if due else None for due, done in due_and_done_by_compound(groups, start, end)
    ]


def completion(compound_ids, start: date, end: date) -> float | None:
    """Share of due stops checked in, over runs starting on local dates
    [start, end]; None when no stop was due."""
    lo = timezone.make_aware(datetime.combine(start, time(12)))
    hi = timezone.make_aware(datetime.combine(end + timedelta(days=1), time(12)))
    now = timezone.now()
    stops = RunStop.objects.filter(
        run__compound_id__in=compound_ids,
        run__starts_at__gte=lo,
        run__starts_at__lt=hi,
        due_at__lt=now,
    )
    total = stops.count()
    if not total:
        return None
    return stops.filter(checkin__isnull=False).count() / total
