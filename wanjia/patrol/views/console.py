"""Console pages: the plan and checkpoints, routes, the A4 QR sheet, the live
board (polled by htmx every 10 s) and a run's check-ins with their flags."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import compound_gate, gate

from .. import access, selectors, services
from ..models import Checkpoint, CheckpointKind, HandedTo, Severity


def qr_svg(text: str, *, scale: int = 4) -> str:
    return segno.make_qr(text, error="m", mask=2).svg_inline(scale=scale, border=2)


@login_required
def home(request):
    compounds = list(selectors.compounds_for(request.user))
    if not compounds:
        raise PermissionDenied
    if len(compounds) == 1:  # one compound: its board at once (a menu link answers 200)
        return board(request, compounds[0].pk)
    return render(request, "patrol/home.html", {"compounds": compounds})


@login_required
def board(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    context = {
        **selectors.board(compound),
        "compound": compound,
        "incidents": selectors.recent_incidents(request.user, compound),
        "manage": access.can_manage(request.user, compound),
    }
    if request.htmx and request.GET.get("part") == "board":
        return render(request, "patrol/_board.html", context)
    return render(request, "patrol/board.html", context)


def _place_fields(post) -> dict:
    def number(name, default=None):
        raw = (post.get(name) or "").strip()
        if not raw:
            return default
        try:
            return float(raw)
        except ValueError:
            raise ValidationError({name: _("请填写数字。")}) from None

    radius = number("radius_m", 30)
    return {
        "name": post.get("name", ""),
        "kind": post.get("kind", CheckpointKind.CUSTOM),
        "x": number("x", None),
        "y": number("y", None),
        "lat": number("lat"),
        "lng": number("lng"),
        "radius_m": int(radius) if radius is not None and radius == int(radius) else -1,
    }


@login_required
def checkpoints(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    manage = access.can_manage(request.user, compound)
    errors, form = {}, {}
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        form = request.POST
        try:
            services.checkpoint_create(
                actor=request.user, compound=compound, **_place_fields(request.POST)
            )
        except (ValidationError, Refusal) as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("已添加巡更点。"))
            return redirect("patrol_checkpoints", compound.pk)
    rows = selectors.compound_checkpoints(request.user, compound)
    return render(
        request,
        "patrol/checkpoints.html",
        {
            "compound": compound,
            "checkpoints": rows,
            "kinds": CheckpointKind.choices,
            "manage": manage,
            "errors": errors,
            "form": form,
        },
        status=422 if errors else 200,
    )


def _checkpoint(request, pk) -> Checkpoint:
    user = request.user
    return gate(
        user,
        selectors.checkpoint_rows(),
        pk,
        compound="compound_id",
        allowed=lambda cp: access.can_manage(user, cp.compound),
    )


@login_required
def checkpoint_edit(request, pk):
    cp = _checkpoint(request, pk)
    errors = {}
    if request.method == "POST":
        try:
            services.checkpoint_update(
                actor=request.user, checkpoint=cp, **_place_fields(request.POST)
            )
        except (ValidationError, Refusal) as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("patrol_checkpoints", cp.compound_id)
    return render(
        request,
        "patrol/checkpoint_edit.html",
        {"cp": cp, "compound": cp.compound, "kinds": CheckpointKind.choices, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
@require_POST
def checkpoint_retire(request, pk):
    cp = _checkpoint(request, pk)
    services.checkpoint_retire(actor=request.user, checkpoint=cp)
    messages.success(request, _("已停用，该点的二维码不再有效。"))
    return redirect("patrol_checkpoints", cp.compound_id)


@login_required
def routes(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    manage = access.can_manage(request.user, compound)
    points = list(selectors.live_checkpoints(request.user, compound))
    errors = {}
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        chosen = []
        for cp in points:
            raw = (request.POST.get(f"order_{cp.pk}") or "").strip()
            if raw.isdigit() and 0 < int(raw) < 1000:
                chosen.append((int(raw), cp))
        chosen.sort(key=lambda p: p[0])
        try:
            route = services.route_create(
                actor=request.user,
                compound=compound,
                name=request.POST.get("name", ""),
                checkpoints=[cp for _n, cp in chosen],
                minutes=[_minutes(request.POST.get(f"minutes_{cp.pk}")) for _n, cp in chosen],
                strict_order=bool(request.POST.get("strict_order")),
            )
            services.schedule_set(actor=request.user, route=route)
        except (ValidationError, Refusal) as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("已添加路线（每 2 小时一轮，22:00–06:00）。"))
            return redirect("patrol_routes", compound.pk)
    rows = selectors.compound_routes(request.user, compound)
    return render(
        request,
        "patrol/routes.html",
        {
            "compound": compound,
            "routes": rows,
            "points": points,
            "manage": manage,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


def _minutes(raw) -> int:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and int(raw) <= 240 else 5


@login_required
def qr_sheet(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_manage)
    rows = selectors.live_checkpoints(request.user, compound)
    sheets = [{"cp": cp, "svg": qr_svg(services.qr_url(cp, request))} for cp in rows]
    return render(request, "patrol/qr_sheet.html", {"compound": compound, "sheets": sheets})


@login_required
def run_detail(request, pk):
    user = request.user
    run = gate(
        user,
        selectors.run_rows(),
        pk,
        compound="compound_id",
        allowed=lambda r: access.can_view(user, r.compound) or access.can_patrol(user, r.compound),
    )
    return render(
        request, "patrol/run.html", {**selectors.run_detail(run), "compound": run.compound}
    )


@login_required
@require_POST
def incident_to_case(request, pk):
    user = request.user
    incident = gate(
        user,
        selectors.incident_rows(),
        pk,
        compound="compound_id",
        allowed=lambda i: access.can_hand_over(user, i.compound),
    )
    services.incident_hand_to_dispute(actor=user, incident=incident)
    messages.success(request, _("已转为矛盾纠纷案件。"))
    return redirect("patrol_board", incident.compound_id)


@login_required
@require_POST
def incident_to_ticket(request, pk):
    """Hand the incident to a repair ticket (the tickets app's ``tickets.open``)."""
    user = request.user
    incident = gate(
        user,
        selectors.incident_rows(),
        pk,
        compound="compound_id",
        allowed=lambda i: access.can_hand_over(user, i.compound),
    )
    handed = services.incident_hand_over(actor=user, incident=incident, to=HandedTo.REPAIR)
    messages.success(request, _("已转为报修工单 #%(ref)s。") % {"ref": handed.handed_ref})
    return redirect("patrol_board", incident.compound_id)


SEVERITIES = Severity.choices
