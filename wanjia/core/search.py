"""Search providers: one search box for the console, answered by every app that
registered a provider, so the kernel knows no app's records.

    # disputes/apps.py
    search.register("disputes", _("矛盾纠纷"), disputes_search, order=30)

A provider is ``fn(request, q) -> (hits, total, more_url)``: at most ``SHOWN``
``Hit``s the user may see (scoped like every selector: another tenant's record
never appears), how many there are in all, and where the full list is (or "").
A provider that has nothing for this user (no role for it) answers
``([], 0, "")``; rate limits and audit are the provider's own (the registry's
resident search keeps its per-minute limit and audits identifiers).

A provider may also have a full page of its own (``page=view``, a view taking the
request): its finder with its filters and paging, at ``/console/find/<key>/``
under the same menu entry, with a tab beside "all" (the registry's resident
finder is one: flags, region, the first fifty)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
    page: Callable | None = None  # (request) -> HttpResponse: the provider's own finder


_PROVIDERS: dict[str, Provider] = {}


def register(key: str, label, search: Callable, order: int = 50, page=None) -> None:
    _PROVIDERS[key] = Provider(key, label, search, order, page)


def tabs(current: str = "") -> list[dict]:
    """The search page's tabs: everything, then each provider that has a page."""
    out = [{"key": "", "label": _("全部"), "url": reverse("console_search"), "on": not current}]
    for provider in providers():
        if provider.page is not None:
            out.append(
                {
                    "key": provider.key,
                    "label": provider.label,
                    "url": reverse("console_search_in", args=[provider.key]),
                    "on": provider.key == current,
                }
            )
    return out


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
        {
            "q": q,
            "groups": groups,
            "searched": bool(q),
            "total": sum(g["total"] for g in groups),
            "search_tabs": tabs(),
        },
    )


@login_required
def provider_page(request, key: str):
    """One provider's own finder (its filters and paging) under the search entry."""
    require_console(request.user)
    provider = _PROVIDERS.get(key)
    if provider is None or provider.page is None:
        raise Http404
    return provider.page(request)
