"""Pages of who plans and watches the morning delivery: the overview, a
window's planning form, the plan with its suggestion and drawing, print run
sheets, and the live board."""

import math
import re
from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRefresh

from wanjia.core.errors import Conflict
from wanjia.core.jobs import kind_of, with_live_progress
from wanjia.core.scoping import can_anywhere

from .. import selectors, services, svg
from ..access import can_plan
from ..models import Mode, PlanStatus
from ..services.planning import PLANNABLE
from ..services.problem import day_origin, waiting_for_packing
from .common import errors_of, floor_span, map_svg, plan_for, window_for

ACTIVE = (PlanStatus.QUEUED, PlanStatus.RUNNING)
RAW_SECONDS = re.compile(r"\s*\([\d.]+ s\)")
RECENT_DAYS = 3


# --- overview ---------------------------------------------------------------------------


@login_required
def home(request):
    """Markets the user plans and recent windows with their current plan; a
    courier who watches nothing goes straight to their own routes."""
    user = request.user
    if not (can_anywhere(user, "delivery.watch") or can_anywhere(user, "delivery.plan")):
        return redirect("delivery_mine")
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    windows = selectors.recent_windows(user, since)
    return render(
        request,
        "delivery/home.html",
        {
            "markets": _planned_markets(user),
            "rows": _window_rows(windows),
            "mine": list(selectors.my_routes_today(user)),
        },
    )


def _planned_markets(user):
    return selectors.planned_markets(user)


def _window_rows(windows) -> list[dict]:
    """Each window with its current plan (delivered of all bags) and the
    latest request when that one is still running or failed."""
    ids = [w.pk for w in windows]
    current, latest, delivered = selectors.plans_of_windows(ids)
    rows, today = [], timezone.localdate()
    for w in windows:
        plan = current.get(w.pk)
        rows.append(
            {
                "window": w,
                "plan": plan,
                "latest": latest.get(w.pk),
                "delivered": delivered.get(plan.pk, 0) if plan else 0,
                "plannable": w.status in PLANNABLE and w.delivery_date >= today,
            }
        )
    return rows


# --- a window: plan it ------------------------------------------------------------------


@login_required
def window(request, window_id):
    window = window_for(request, window_id)
    if request.method == "POST":
        if not can_plan(request.user, window.market):
            raise PermissionDenied
        return _plan_post(request, window)
    return render(request, "delivery/window.html", _window_context(request, window))


def _window_context(request, window, *, post=None, errors=None) -> dict:
    market = window.market
    start, deadline = services.default_times(window)
    start = max(start, day_origin(window))  # a time on the delivery day, as the form asks
    couriers = selectors.active_couriers(market)
    if post is None:
        values = {
            "start": f"{timezone.localtime(start):%H:%M}",
            "deadline": f"{timezone.localtime(deadline):%H:%M}",
            "seconds": "10",
        }
        chosen = {c.pk for c in couriers}
    else:
        values = {k: post.get(k, "") for k in ("start", "deadline", "seconds")}
        chosen = {int(v) for v in post.getlist("couriers") if v.isdigit()}
    doors = selectors.door_orders(window)
    plans = selectors.recent_plans(window)
    return {
        "window": window,
        "market": market,
        "can_plan": can_plan(request.user, market),
        "plannable": window.status in PLANNABLE,
        "couriers": [{"courier": c, "checked": c.pk in chosen} for c in couriers],
        "values": values,
        "errors": errors or {},
        "doors": doors,
        "waiting": waiting_for_packing(window).count(),
        "plans": plans,
        "latest": plans[0] if plans else None,
    }


def _clock(window, raw: str, field: str, label: str) -> datetime:
    try:
        hours, minutes = (raw or "").strip().split(":")[:2]
        moment = time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise ValidationError(
            {field: _("%(label)s应为 时:分，例如 06:30。") % {"label": label}}
        ) from None
    return timezone.make_aware(datetime.combine(window.delivery_date, moment))


def _parse_plan_form(window, post) -> dict:
    """The form's fields, each refusal beside its own field."""
    out, errors = {}, {}
    for field, key, label in (
        ("start", "start_at", _("出发时间")),
        ("deadline", "deadline_at", _("送达截止")),
    ):
        try:
            out[key] = _clock(window, post.get(field), field, label)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    raw = (post.get("seconds") or "").strip()
    if not raw.isdigit():
        errors["seconds"] = [_("计算时长应为整数秒。")]
    else:
        out["seconds"] = int(raw)
    ids = [int(v) for v in post.getlist("couriers") if v.isdigit()]
    out["couriers"] = selectors.market_couriers(window.market, ids)
    if errors:
        raise ValidationError(errors)
    return out


# The service names its fields after the model; the form after what a person reads.
FORM_FIELDS = {"start_at": "start", "deadline_at": "deadline"}


def _plan_post(request, window):
    try:
        data = _parse_plan_form(window, request.POST)
        plan = services.plan_request(actor=request.user, window=window, **data)
    except (ValidationError, Conflict) as exc:
        errors = {FORM_FIELDS.get(k, k): v for k, v in errors_of(exc).items()}
        context = _window_context(request, window, post=request.POST, errors=errors)
        return render(request, "delivery/window.html", context, status=422)
    return redirect("delivery_plan", plan.pk)


# --- a plan -----------------------------------------------------------------------------


@login_required
def plan(request, pk):
    plan = plan_for(request, pk)
    if request.htmx and request.GET.get("part") == "watch":
        # Polled while the job runs: nothing to swap until it ends, then reload.
        return HttpResponse(status=204) if plan.status in ACTIVE else HttpResponseClientRefresh()
    context = {
        "plan": plan,
        "window": plan.window,
        "market": plan.window.market,
        "can_plan": can_plan(request.user, plan.window.market),
        "active": plan.status in ACTIVE,
    }
    if plan.status in ACTIVE:
        context.update(_job_context(request.user, plan))
    elif plan.status == PlanStatus.DONE:
        context.update(_result_context(plan))
        context["waiting"] = waiting_for_packing(plan.window).count()
    return render(request, "delivery/plan.html", context)


def _job_context(user, plan) -> dict:
    job = plan.job
    if job is None or not selectors.job_visible(user, job):
        return {"job": None}
    job = with_live_progress(job)
    return {"job": job, "kind": kind_of(job)}


def _result_context(plan) -> dict:
    routes = selectors.routes_counted(plan)
    for n, r in enumerate(routes):
        r.km = r.distance_m / 1000
        r.colour = svg.colour(n)  # the same colour as the route's line in the drawing
    used = {r.courier_id for r in routes}
    unserved = selectors.unserved_stops(plan)
    for stop in unserved:
        # The planner's reason carries raw seconds for the what-if command: a
        # manager reads clock times only.
        stop.reason_shown = RAW_SECONDS.sub("", stop.reason)
    return {
        "routes": routes,
        "idle": [c.name for c in selectors.plan_couriers(plan) if c.pk not in used],
        "unserved": unserved,
        "late": bool(plan.finish_at and plan.finish_at > plan.deadline_at),
        "km": plan.distance_m / 1000,
        "advice": _advice(plan),
        "svg": map_svg(plan),
    }


def _advice(plan) -> dict | None:
    """The suggestion beside the plan, ready to show (None before sizing)."""
    s = plan.suggestion or {}
    if not s:
        return None
    earliest = parse_datetime(s["earliest_deadline"]) if s.get("earliest_deadline") else None
    mode = s.get("mode")
    # The plan beside the advice is itself an answer: when it serves every bag
    # in time, the advice leads with the couriers it uses and never names a
    # finish later than its own (the sizing is a what-if in one kind of courier).
    on_time = bool(plan.bags and plan.served_bags == plan.bags and plan.finish_at)
    on_time = on_time and plan.finish_at <= plan.deadline_at
    if on_time and earliest and earliest > plan.finish_at:
        earliest = plan.finish_at
    return {
        "mode": Mode(mode).label if mode in Mode.values else mode,
        "on_time": on_time,
        "used": plan.routes.count(),
        "needed": s.get("couriers_needed"),
        "today": s.get("couriers_today"),
        "impossible": s.get("impossible") or 0,
        "earliest": earliest,
        "earliest_late": bool(earliest and earliest > plan.deadline_at),
    }


@login_required
def plan_map(request, pk):
    plan = plan_for(request, pk)
    drawing = map_svg(plan) if plan.status == PlanStatus.DONE else ""
    if not drawing:
        raise Http404(_("还没有可画的路线。"))
    return HttpResponse(drawing, content_type="image/svg+xml; charset=utf-8")


# --- run sheets -------------------------------------------------------------------------


@login_required
def sheets(request, pk):
    """A4 run sheets, one page per courier, in stop order (``?route=`` for one)."""
    plan = plan_for(request, pk)
    wanted = (request.GET.get("route") or "").strip()
    routes = selectors.sheet_routes(plan, wanted)
    if wanted:
        if not routes.exists():
            raise Http404(_("未找到该记录。"))
    pages = [_sheet(route) for route in routes]
    return render(
        request,
        "delivery/sheets.html",
        {"plan": plan, "window": plan.window, "pages": pages, "printed_at": timezone.now()},
    )


def _sheet(route) -> dict:
    stops = selectors.route_sheet(route)
    for stop in stops:
        stop.floor_span = floor_span(stop)
        stop.trip_no = stop.trip + 1
    return {
        "route": route,
        "stops": stops,
        "bags": sum(s.bags for s in stops),
        "km": route.distance_m / 1000,
        "minutes": math.ceil((route.end_at - route.start_at).total_seconds() / 60),
    }


# --- the live board ---------------------------------------------------------------------


@login_required
def board(request, pk):
    plan = plan_for(request, pk)
    context = {**selectors.board(plan), "window": plan.window, "market": plan.window.market}
    template = (
        "delivery/_board.html"
        if request.htmx and request.GET.get("part") == "board"
        else "delivery/board.html"
    )
    return render(request, template, context)
