"""Party pages: the overview (branches) and 党员联户 coverage of buildings and households."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.estates.selectors import get_or_404

from .. import selectors, services
from ..models import (
    BranchRole,
)
from .common import _back, _base, _compound, _errors, _int, _render

# ---------------------------------------------------------------- overview


def _home_ctx(request, compound) -> dict:
    ctx = _base(request, compound, "home")
    cov = selectors.coverage(compound)
    ctx.update(
        coverage=cov,
        roles=selectors.roles_count(compound),
        teams=selectors.recent_teams(request.user, compound),
        activities=selectors.recent_activities(request.user, compound),
        BranchRole=BranchRole,
    )
    return ctx


@login_required
def home(request):
    compound = _compound(request)
    return render(request, "party/home.html", _home_ctx(request, compound))


@login_required
@require_POST
def branch_new(request):
    compound = _compound(request)
    try:
        services.branch_create(
            actor=request.user, name=request.POST.get("name", ""), compounds=[compound]
        )
    except ValidationError as exc:
        return _render(
            request, "party/home.html", _home_ctx(request, compound), _errors(exc), "branch"
        )
    messages.success(request, _("党支部已建立。"))
    return redirect(_back("party_home", compound))


# ---------------------------------------------------------------- coverage


def _coverage_ctx(request, compound) -> dict:
    ctx = _base(request, compound, "coverage")
    ctx.update(
        coverage=selectors.coverage(compound, with_rows=True),
        members=selectors.active_members_by_name(compound),
    )
    return ctx


@login_required
def coverage(request):
    compound = _compound(request)
    return render(request, "party/coverage.html", _coverage_ctx(request, compound))


@login_required
@require_POST
def coverage_assign(request):
    compound = _compound(request)
    member = get_or_404(
        selectors.members_visible_to(request.user),
        pk=_int(request.POST.get("member")),
        compound=compound,
    )
    target = request.POST.get("target", "")
    building = household = None
    if target.startswith("b"):
        building = selectors.building_of(compound, _int(target[1:]))
    elif target.startswith("h"):
        household = selectors.household_of(compound, _int(target[1:]))
    try:
        services.responsibility_assign(
            actor=request.user, member=member, building=building, household=household
        )
    except ValidationError as exc:
        return _render(
            request, "party/coverage.html", _coverage_ctx(request, compound), _errors(exc), "assign"
        )
    messages.success(request, _("已安排联系党员。"))
    return redirect(_back("party_coverage", compound))


@login_required
@require_POST
def responsibility_remove(request, pk):
    resp = get_or_404(
        selectors.responsibilities_visible_to(request.user),
        pk=pk,
    )
    services.responsibility_remove(actor=request.user, responsibility=resp)
    messages.success(request, _("已取消该联户责任。"))
    return redirect(_back("party_coverage", resp.member.compound))
