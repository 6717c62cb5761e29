"""What the party pages share: the compound being looked at, the section context, rendering with field errors."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse

from wanjia.core.errors import errors_of
from wanjia.core.scoping import can
from wanjia.estates.selectors import get_or_404

from .. import selectors


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _errors(exc: ValidationError) -> dict:
    return errors_of(exc)


def _compound(request):
    """The compound the page is about; 404 outside scope, 403 without party.view."""
    allowed = selectors.party_compounds(request.user)
    wanted = _int(request.GET.get("compound") or request.POST.get("compound"))
    if wanted:
        from wanjia.estates.selectors import compounds_visible_to

        get_or_404(compounds_visible_to(request.user), pk=wanted)
        compound = selectors.party_compound(request.user, wanted)
        if compound is None:
            raise PermissionDenied
        return compound
    compound = allowed.first()
    if compound is None:
        raise PermissionDenied
    return compound


def _base(request, compound, section: str) -> dict:
    return {
        "compound": compound,
        "compounds": selectors.party_compounds(request.user)[:200],
        "section": section,
        "can_manage": can(request.user, "party.manage", compound=compound),
        "branches": selectors.branches_of(compound),
        "errors": {},
        "post": {},
    }


def _back(name: str, compound) -> str:
    return f"{reverse(name)}?compound={compound.pk}"


def _render(request, template, ctx, errors=None, form=""):
    if errors:
        ctx.update(errors={form: errors}, post={form: request.POST})
        return render(request, template, ctx, status=422)
    return render(request, template, ctx)
