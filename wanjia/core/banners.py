"""Banners across the top of every page: an app registers a provider that,
given the request, answers the banners the page should carry (an emergency
open over the user's compound). The kernel asks them lazily, once per page
that shows them, and imports no app.

    banners.register(provider)          # from the app's ready()
    provider(request) -> [Banner(text, url, level)]"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Banner:
    text: str
    url: str = ""
    level: str = "alert"  # "alert" (red) or "info"


_PROVIDERS: list[Callable] = []


def register(provider: Callable) -> None:
    """Add ``provider`` once (``ready`` may run twice in tests)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def banners_for(request) -> list[Banner]:
    out: list[Banner] = []
    for provider in _PROVIDERS:
        try:
            out.extend(provider(request) or [])
        except Exception:  # a banner must never take a page down
            log.exception("banner provider %s failed", provider)
    return out


def compound_ids_of(request) -> set[int]:
    """The compounds a page is about: the one in its URL, else those the
    user belongs to (compound, building or household memberships, and the
    compounds of a company the user administers)."""
    from .models import Building, Compound, ScopeType
    from .scoping import memberships_of

    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    if "compound_id" in kwargs:
        try:
            return {int(kwargs["compound_id"])}
        except (TypeError, ValueError):
            return set()
    user = getattr(request, "user", None)
    ids, companies, buildings = set(), set(), set()
    for m in memberships_of(user):
        if m.scope_type == ScopeType.COMPANY:
            companies.add(m.company_id)
        elif m.scope_type == ScopeType.COMPOUND:
            ids.add(m.compound_id)
        elif m.scope_type == ScopeType.BUILDING:
            buildings.add(m.building_id)
        elif m.scope_type == ScopeType.HOUSEHOLD and m.household is not None:
            ids.add(m.household.compound_id)
    if buildings:
        ids |= set(Building.objects.filter(pk__in=buildings).values_list("compound_id", flat=True))
    if companies:
        ids |= set(Compound.objects.filter(company_id__in=companies).values_list("pk", flat=True))
    return ids
