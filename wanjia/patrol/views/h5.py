"""The guard's phone pages: tonight's round, the check-in page a QR opens
(one big button; queued in the phone when offline, see patrol-checkin.js),
and the incident form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wanjia.core.errors import Refusal, errors_of

from .. import access, selectors, services
from ..models import IncidentCategory, Severity
from . import roster


def _require_patrol(user) -> None:
    if not access.patrols_anywhere(user):
        raise PermissionDenied


@login_required
def tonight(request):
    _require_patrol(request.user)
    context = {**selectors.my_round(request.user), "tab": "home"}
    context.update(roster.my_shifts_context(request.user))  # "my next shifts"
    return render(request, "patrol/h5_round.html", context)


@login_required
def scan(request):
    """Opened by scanning a checkpoint's QR: the token is checked now (a
    refused one is said at once, and recorded); the tap posts it to the API."""
    _require_patrol(request.user)
    token = request.GET.get("t", "")
    try:
        checkpoint = services.checkpoint_from_token(request.user, token)
    except Refusal as exc:
        return render(
            request, "patrol/h5_scan.html", {"refused": exc.message, "tab": "home"}, status=422
        )
    return render(
        request,
        "patrol/h5_scan.html",
        {"checkpoint": checkpoint, "token": token, "tab": "home"},
    )


@login_required
def incident_new(request):
    _require_patrol(request.user)
    compounds = list(selectors.compounds_for(request.user, "patrol.patrol"))
    if not compounds:
        raise PermissionDenied
    errors = {}
    if request.method == "POST":
        compound = next(
            (c for c in compounds if str(c.pk) == request.POST.get("compound", "")), compounds[0]
        )
        try:
            services.incident_report(
                actor=request.user,
                compound=compound,
                category=request.POST.get("category", ""),
                severity=request.POST.get("severity", ""),
                place=request.POST.get("place", ""),
                note=request.POST.get("note", ""),
                photo=request.FILES.get("photo"),
            )
        except (ValidationError, Refusal) as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("已上报，管理人员会跟进。"))
            return redirect("patrol_h5_round")
    return render(
        request,
        "patrol/h5_incident.html",
        {
            "compounds": compounds,
            "categories": IncidentCategory.choices,
            "severities": Severity.choices,
            "errors": errors,
            "form": request.POST,
            "tab": "home",
        },
        status=422 if errors else 200,
    )
