"""Search providers: one search box for the console, answered by every app that
registered a provider, so the kernel knows no app's records.

    # disputes/apps.py
    search.register("disputes", _("矛盾纠纷"), disputes_search, order=30)

A provider is ``fn(request, q) -> (hits, total, more_url)``: at most ``SHOWN``
``Hit``s the user may see (scoped like every selector: another tenant's record
never appears), how many there are in all, and where the full list is (or "").
A provider that has nothing for this user (no role for it) answers
``([], 0, "")``; rate limits and audit are the provider's own (the registry's
resident search keeps its per-minute limit and audits identifiers)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .pages import require_console

SHOWN = 5
MAX_QUERY = 50


@dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class Provider:
    key: str
    label: str  # lazy translation
    search: Callable  # (request, q) -> (list[Hit], int, str)
    order: int = 50


_PROVIDERS: dict[str, Provider] = {}


def register(key: str, label, search: Callable, order: int = 50) -> None:
    _PROVIDERS[key] = Provider(key, label, search, order)


def providers() -> list[Provider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.key))


def run(request, q: str) -> list[dict]:
    """Each provider's hits for ``q``, in order; providers with none are left out."""
    groups = []
    for provider in providers():
        hits, total, more = provider.search(request, q)
        if total:
            groups.append(
                {
                    "label": provider.label,
                    "key": provider.key,
                    "hits": hits,
                    "total": total,
                    "more": more,
                }
            )
    return groups


@login_required
def search_page(request):
    require_console(request.user)
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    groups = run(request, q) if q else []
    return render(
        request,
        "core/search.html",
        {"q": q, "groups": groups, "searched": bool(q), "total": sum(g["total"] for g in groups)},
    )
