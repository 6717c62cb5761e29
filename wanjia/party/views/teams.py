"""Party pages: vanguard teams and their members."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.estates.selectors import get_or_404

from .. import selectors, services
from ..models import (
    Campaign,
    TeamKind,
)
from .common import _back, _base, _compound, _errors, _int, _render

# ---------------------------------------------------------------- teams


def _teams_ctx(request, compound) -> dict:
    ctx = _base(request, compound, "teams")
    ctx.update(
        teams=selectors.teams_with_members(request.user, compound),
        members=selectors.active_members_by_name(compound),
        kinds=TeamKind.choices,
        campaigns=Campaign.choices,
        today=timezone.localdate(),
    )
    return ctx


@login_required
def teams(request):
    compound = _compound(request)
    return render(request, "party/teams.html", _teams_ctx(request, compound))


def _date(value, field: str) -> date | None:
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({field: _("日期格式应为 YYYY-MM-DD。")})
    return parsed


@login_required
@require_POST
def team_new(request):
    compound = _compound(request)
    post = request.POST
    try:
        branch = next(
            (b for b in compound.party_branches.all() if b.pk == _int(post.get("branch"))), None
        )
        if branch is None:
            raise ValidationError({"branch": _("请先选择党支部。")})
        leader = selectors.member_of(compound, _int(post.get("leader")))
        services.team_create(
            actor=request.user,
            branch=branch,
            compound=compound,
            name=post.get("name", ""),
            kind=post.get("kind", ""),
            campaign=post.get("campaign", ""),
            starts_on=_date(post.get("starts_on"), "starts_on"),
            ends_on=_date(post.get("ends_on"), "ends_on"),
            leader=leader,
            duty=post.get("duty", ""),
        )
    except ValidationError as exc:
        return _render(
            request, "party/teams.html", _teams_ctx(request, compound), _errors(exc), "team"
        )
    messages.success(request, _("队伍已组建。"))
    return redirect(_back("party_teams", compound))


@login_required
@require_POST
def team_member_add(request, pk):
    team = get_or_404(selectors.teams_visible_to(request.user), pk=pk)
    member = selectors.member_of(team.compound, _int(request.POST.get("member")))
    try:
        if member is None:
            raise ValidationError({"member": _("请选择党员。")})
        services.team_member_add(
            actor=request.user, team=team, member=member, duty=request.POST.get("duty", "")
        )
    except ValidationError as exc:
        return _render(
            request,
            "party/teams.html",
            _teams_ctx(request, team.compound),
            _errors(exc),
            f"join{team.pk}",
        )
    messages.success(request, _("%(name)s 已加入队伍。") % {"name": member.name})
    return redirect(_back("party_teams", team.compound))
