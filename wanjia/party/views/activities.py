"""Party pages: activities and attendance (service hours)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.estates.selectors import get_or_404

from .. import selectors, services
from ..models import (
    ActivityKind,
)
from .common import _base, _compound, _errors, _int, _render

# ---------------------------------------------------------------- activities


def _activities_ctx(request, compound, selected=None) -> dict:
    ctx = _base(request, compound, "activities")
    ctx.update(
        activities=selectors.activities_listed(request.user, compound),
        kinds=ActivityKind.choices,
        selected=selected,
        attendance={a.member_id: a for a in selected.attendance.all()} if selected else {},
        members=selectors.active_members_by_name(compound),
        hours_month=selectors.service_hours_month(compound),
        top=selectors.top_hours_month(compound),
    )
    return ctx


@login_required
def activities(request):
    compound = _compound(request)
    return render(request, "party/activities.html", _activities_ctx(request, compound))


@login_required
def activity_detail(request, pk):
    activity = get_or_404(selectors.activities_visible_to(request.user), pk=pk)
    return render(
        request, "party/activities.html", _activities_ctx(request, activity.compound, activity)
    )


def _held_at(value):
    parsed = None
    try:
        parsed = parse_datetime(value or "")
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({"held_at": _("请填写活动时间。")})
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
@require_POST
def activity_new(request):
    compound = _compound(request)
    post = request.POST
    try:
        branch = next(
            (b for b in compound.party_branches.all() if b.pk == _int(post.get("branch"))), None
        )
        if branch is None:
            raise ValidationError({"branch": _("请先选择党支部。")})
        activity = services.activity_create(
            actor=request.user,
            branch=branch,
            compound=compound,
            title=post.get("title", ""),
            kind=post.get("kind", ""),
            held_at=_held_at(post.get("held_at")),
            place=post.get("place", ""),
            description=post.get("description", ""),
        )
    except ValidationError as exc:
        return _render(
            request,
            "party/activities.html",
            _activities_ctx(request, compound),
            _errors(exc),
            "activity",
        )
    messages.success(request, _("活动已登记，请记录出席。"))
    return redirect("party_activity", activity.pk)


@login_required
@require_POST
def attendance_save(request, pk):
    """Record every ticked member with their hours in one go."""
    activity = get_or_404(selectors.activities_visible_to(request.user), pk=pk)
    members = selectors.present_members(
        activity, [_int(v) for v in request.POST.getlist("present")]
    )
    try:
        with transaction.atomic():  # all rows or none: a bad hours field saves nothing
            for m in members:
                services.attendance_record(
                    actor=request.user,
                    activity=activity,
                    member=m,
                    hours=request.POST.get(f"hours_{m.pk}", "0"),
                )
    except ValidationError as exc:
        return _render(
            request,
            "party/activities.html",
            _activities_ctx(request, activity.compound, activity),
            _errors(exc),
            "attendance",
        )
    messages.success(request, _("已记录 %(n)s 人出席。") % {"n": len(members)})
    return redirect("party_activity", activity.pk)
