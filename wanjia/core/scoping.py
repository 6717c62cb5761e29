"""Tenancy, in one place.

``memberships_of(user)`` is read once per request; every selector builds its
filter from it. An object outside the result is reported as missing (404), with
the same message as an object that does not exist."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Membership, ScopeType
from .roles import CAPABILITIES, Role

NOT_FOUND = "未找到该记录。"


def get_or_404(queryset, **lookup):
    """Fetch within a scoped queryset; outside scope and missing look the same."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404(_(NOT_FOUND))
    return obj


def gate(user, queryset, pk, *, compound: str, also: Q | None = None, allowed=None):
    """The one gate from an id to a tenant record.

    The record of ``queryset`` with ``pk`` in a compound where ``user`` holds
    any membership (``compound`` is the lookup path to the compound's id;
    ``also`` widens it, e.g. "or the route is the user's own") — otherwise a
    404 with the same message as a missing record, so another tenant's ids
    tell nothing. Then, when ``allowed(record)`` says the user's role there is
    not enough, a 403: the record is theirs to know about, not to act on."""
    q = scope_q(user, compound=compound)
    if also is not None:
        q |= also
    record = get_or_404(queryset.filter(q), pk=pk)
    if allowed is not None and not allowed(record):
        raise PermissionDenied
    return record


def compound_gate(user, compound_id, allowed=None):
    """The compound ``compound_id`` where ``user`` holds any membership (else a
    404 like a missing one), then a 403 unless ``allowed(user, compound)``:
    the gate every compound page and endpoint of an app starts with."""
    from .models import Compound

    return gate(
        user,
        Compound.objects.all(),
        compound_id,
        compound="id",
        allowed=None if allowed is None else (lambda c: allowed(user, c)),
    )


def memberships_of(user) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_wanjia_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("region", "household"))
        user._wanjia_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {m.role for m in memberships_of(user)}


def scope_q(
    user, *, roles=None, compound: str, building: str | None = None, household: str | None = None
) -> Q:
    """A filter for records that ``user`` may see through memberships whose role is
    in ``roles`` (all roles when None).

    ``compound``/``building``/``household`` name the model's paths to those ids
    ("compound_id", "building_id", "id"...). A building or household membership
    on a model that has no such path falls back to the coarser level it lies in.
    ``compound`` must end in "id"; the region filter derives its path from it."""
    if getattr(user, "is_superuser", False):
        return Q()
    q = Q(pk__in=[])
    # "compound_id" -> "compound__", "compounds__id" -> "compounds__", "id" -> "":
    # the path to the compound's own fields (every trailing "_" goes, one or two)
    rel = compound.removesuffix("id").rstrip("_")
    to_compound = f"{rel}__" if rel else ""
    for m in memberships_of(user):
        if roles is not None and m.role not in roles:
            continue
        if m.scope_type == ScopeType.REGION:
            q |= Q(**{f"{to_compound}community__path__startswith": m.region.path})
        elif m.scope_type == ScopeType.COMPANY:
            q |= Q(**{f"{to_compound}company_id": m.company_id})
        elif m.scope_type == ScopeType.COMPOUND:
            q |= Q(**{compound: m.compound_id})
        elif m.scope_type == ScopeType.BUILDING:
            q |= Q(**{building: m.building_id}) if building else Q(**{compound: m.compound_id})
        elif m.scope_type == ScopeType.HOUSEHOLD:
            if household:
                q |= Q(**{household: m.household_id})
            elif building:
                q |= Q(**{building: m.household.building_id})
            else:
                q |= Q(**{compound: m.compound_id})
    return q


def sees_compound(user, compound) -> bool:
    """``scope_q(user, compound="id")`` asked of one compound already loaded,
    in Python: for a hot path that reads its record by plain SQL (a booking's
    slot) and must apply the same tenancy (core/tests/test_tenancy.py holds
    the two to agreement for every kind of membership)."""
    if getattr(user, "is_superuser", False):
        return True
    for m in memberships_of(user):
        st = m.scope_type
        if st == ScopeType.REGION:
            if compound.community.path.startswith(m.region.path):
                return True
        elif st == ScopeType.COMPANY:
            if compound.company_id == m.company_id:
                return True
        elif m.compound_id == compound.pk:  # a compound, or a building or household in it
            return True
    return False


def roles_for(
    user, *, compound, building_id: int | None = None, household_id: int | None = None
) -> set[str]:
    """The roles ``user`` holds over a record of ``compound`` (at the given
    building/household, when the record sits that low)."""
    if getattr(user, "is_superuser", False):
        return set(Role.values)
    found = set()
    for m in memberships_of(user):
        st = m.scope_type
        if (
            (st == ScopeType.REGION and compound.community.path.startswith(m.region.path))
            or (st == ScopeType.COMPANY and compound.company_id == m.company_id)
            or (st == ScopeType.COMPOUND and compound.pk == m.compound_id)
            or (
                st == ScopeType.BUILDING
                and building_id is not None
                and m.building_id == building_id
            )
            or (
                st == ScopeType.HOUSEHOLD
                and household_id is not None
                and m.household_id == household_id
            )
        ):
            found.add(m.role)
    return found


def can(user, action: str, *, compound, building_id=None, household_id=None) -> bool:
    allowed = CAPABILITIES[action]
    return bool(
        roles_for(user, compound=compound, building_id=building_id, household_id=household_id)
        & allowed
    )


def can_anywhere(user, action: str) -> bool:
    """Whether any of the user's roles allows ``action`` somewhere (for menus)."""
    return getattr(user, "is_superuser", False) or bool(roles_of(user) & CAPABILITIES[action])
