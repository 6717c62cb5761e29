"""Console pages of disputes: screening sweeps, planned and recorded."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wanjia.core.errors import errors_of
from wanjia.estates.selectors import compounds_visible_to, get_or_404

from .. import access, selectors, services
from .case import _int

# ---------------------------------------------------------------- sweeps


@login_required
def sweeps(request):
    """The building leader's sweeps to do; completion per building for the rest."""
    user = request.user
    today = timezone.localdate()
    current = selectors.current_sweeps(
        user, compound=_int(request.GET.get("compound")), today=today
    )
    plannable = selectors.plannable_compounds(user, current)
    return render(
        request,
        "disputes/sweeps.html",
        {
            "mine": list(selectors.my_sweeps(user)),
            "current": selectors.sweeps_in_order(current),
            "completion": selectors.sweeps_completion(current),
            "plannable": plannable,
            "today": today,
        },
    )


def _can_plan(user, compound) -> bool:
    from wanjia.core.scoping import roles_for

    return bool(roles_for(user, compound=compound) & access.COMPOUND_MEDIATORS)


@login_required
@require_POST
def sweeps_plan(request):
    compound = get_or_404(compounds_visible_to(request.user), pk=_int(request.POST.get("compound")))
    if not _can_plan(request.user, compound):
        raise PermissionDenied
    services.sweeps_plan(compound=compound)
    return redirect(f"{_url('disputes_sweeps')}?compound={compound.pk}")


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
@require_POST
def sweep_done(request, pk):
    sweep = get_or_404(selectors.sweeps_visible_to(request.user), pk=pk)
    error = ""
    try:
        sweep = services.sweep_complete(
            actor=request.user, sweep=sweep, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        error = " ".join(m for msgs in errors_of(exc).values() for m in msgs)
    if request.htmx:
        return render(
            request,
            "disputes/_sweep.html",
            {"s": sweep, "error": error},
            status=422 if error else 200,
        )
    return redirect("disputes_sweeps")
