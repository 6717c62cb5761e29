"""Party pages: the overview (branches) and 党员联户 coverage of buildings and households."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.models import Building
from wanjia.estates.models import Household
from wanjia.estates.selectors import get_or_404

from .. import selectors, services
from ..models import (
    BranchRole,
    Responsibility,
)
from .common import _back, _base, _compound, _errors, _int, _render

# ---------------------------------------------------------------- overview


def _home_ctx(request, compound) -> dict:
    ctx = _base(request, compound, "home")
    cov = selectors.coverage(compound)
    ctx.update(
        coverage=cov,
        roles=dict(
            selectors.active_members(compound)
            .values_list("role")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        teams=selectors.teams_visible_to(request.user)
        .filter(compound=compound)
        .annotate(n=Count("memberships"))
        .order_by("-starts_on")[:5],
        activities=selectors.activities_visible_to(request.user)
        .filter(compound=compound)
        .annotate(people=Count("attendance"), hours=Sum("attendance__hours"))
        .order_by("-held_at")[:5],
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
        members=list(selectors.active_members(compound).order_by("name")),
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
        building = Building.objects.filter(compound=compound, pk=_int(target[1:])).first()
    elif target.startswith("h"):
        household = Household.objects.filter(compound=compound, pk=_int(target[1:])).first()
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
        Responsibility.objects.filter(member__in=selectors.members_visible_to(request.user)),
        pk=pk,
    )
    services.responsibility_remove(actor=request.user, responsibility=resp)
    messages.success(request, _("已取消该联户责任。"))
    return redirect(_back("party_coverage", resp.member.compound))
