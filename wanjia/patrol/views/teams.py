"""The compound's patrol teams: create one, rename it and change its leader,
add and remove guards and volunteers. The roster is built from these members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import compound_gate, gate

from .. import access, selectors_teams
from ..models import TeamRole
from ..services import teams as services


def _context(request, compound, **extra) -> dict:
    return {
        "compound": compound,
        "manage": access.can_manage(request.user, compound),
        "teams": selectors_teams.teams_of(compound),
        "leaders": list(services.leader_candidates(compound)),
        "people": list(services.on_duty_users(compound)),
        "roles": TeamRole.choices,
        "errors": {},
        "form": {},
        "errors_for": None,
        **extra,
    }


@login_required
def teams(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    return render(request, "patrol/teams.html", _context(request, compound))


def _refused(request, compound, exc, team_id=None):
    context = _context(
        request, compound, errors=errors_of(exc), form=request.POST, errors_for=team_id
    )
    return render(request, "patrol/teams.html", context, status=422)


@login_required
@require_POST
def team_create(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_manage)
    try:
        services.team_save(
            actor=request.user,
            compound=compound,
            name=request.POST.get("name", ""),
            leader_id=request.POST.get("leader", ""),
        )
    except Refusal as exc:
        return _refused(request, compound, exc, "new")
    messages.success(request, _("已建立巡逻队。"))
    return redirect("patrol_teams", compound.pk)


def _team(request, pk):
    user = request.user
    return gate(
        user,
        selectors_teams.team_rows(),
        pk,
        compound="compound_id",
        allowed=lambda t: access.can_manage(user, t.compound),
    )


@login_required
@require_POST
def team_edit(request, pk):
    team = _team(request, pk)
    try:
        services.team_save(
            actor=request.user,
            compound=team.compound,
            name=request.POST.get("name", ""),
            leader_id=request.POST.get("leader", ""),
            team=team,
        )
    except Refusal as exc:
        return _refused(request, team.compound, exc, team.pk)
    messages.success(request, _("已保存巡逻队。"))
    return redirect("patrol_teams", team.compound_id)


@login_required
@require_POST
def member_add(request, pk):
    team = _team(request, pk)
    try:
        services.member_add(
            actor=request.user,
            team=team,
            user_id=request.POST.get("user", ""),
            role=request.POST.get("role", ""),
        )
    except Refusal as exc:
        return _refused(request, team.compound, exc, team.pk)
    messages.success(request, _("已加入巡逻队。"))
    return redirect("patrol_teams", team.compound_id)


@login_required
@require_POST
def member_remove(request, pk):
    user = request.user
    member = gate(
        user,
        selectors_teams.member_rows(),
        pk,
        compound="team__compound_id",
        allowed=lambda m: access.can_manage(user, m.team.compound),
    )
    services.member_remove(actor=user, member=member)
    messages.success(request, _("已移出巡逻队。"))
    return redirect("patrol_teams", member.team.compound_id)
