""" "Today's work" on the console home: each app registers a provider that returns
cards for a user, so the home page needs to know no app by name.

    from wanjia.core.today import Card, today_provider

    @today_provider(order=30)
    def disputes_today(user) -> list[Card]:
        ...

Register providers in the app's ``AppConfig.ready`` (import the module there)."""

from collections.abc import Callable
from dataclasses import dataclass, field

_PROVIDERS: list[tuple[int, Callable]] = []


@dataclass
class Card:
    title: str  # "待办调解"
    count: int | None = None  # the big number, or None
    url: str = ""  # where the work is done
    detail: str = ""  # one line under the number ("3 件今天到期")
    status: str = ""  # "", "due" (amber), "overdue" (red), "done" (green)
    items: list[tuple[str, str]] = field(default_factory=list)  # up to ~5 (label, url) rows


def today_provider(order: int = 50):
    def register(fn):
        _PROVIDERS.append((order, fn))
        _PROVIDERS.sort(key=lambda p: p[0])
        return fn

    return register


def cards_for(user) -> list[Card]:
    cards: list[Card] = []
    for _order, provider in _PROVIDERS:
        cards.extend(provider(user))
    return cards


@dataclass
class ServiceLink:
    """An entry on the resident H5 "服务" tab (菜篮子, report a problem...)."""

    title: str
    url_name: str  # a URL name without arguments
    description: str = ""
    icon: str = ""  # inline SVG path data or an emoji-free short label
    # The page's own test of whether ``user`` may open it; None: every resident.
    allowed: Callable | None = None


_SERVICES: list[tuple[int, ServiceLink]] = []


def resident_service(link: ServiceLink, order: int = 50) -> None:
    """Register a service for the H5 services tab (call in AppConfig.ready)."""
    if all(existing.url_name != link.url_name for _o, existing in _SERVICES):
        _SERVICES.append((order, link))
        _SERVICES.sort(key=lambda p: p[0])


def resident_services(user=None) -> list[ServiceLink]:
    """The services ``user`` may open (all of them when no user is given)."""
    return [
        link
        for _order, link in _SERVICES
        if user is None or link.allowed is None or link.allowed(user)
    ]
