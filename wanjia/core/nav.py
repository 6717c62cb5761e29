"""The console's navigation: each app registers its links, the shell shows only
those the user's roles may use, so the page shell needs to know no app by name.

    from wanjia.core.nav import console_nav_link

    console_nav_link(_("调解"), "disputes_home", roles={Role.COMPOUND_MANAGER}, order=40)

Register links in the app's ``AppConfig.ready``."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .scoping import roles_of


@dataclass(frozen=True)
class NavLink:
    label: str  # a lazy translation
    url_name: str  # a URL name without arguments
    roles: frozenset[str] | None  # None: every console user
    order: int = 50
    icon: str = ""  # a name known to the {% icon %} tag
    # The page's own test of whether ``user`` may open it, when roles alone do
    # not say (a role held over one building may not open a compound's page).
    allowed: Callable | None = None


_LINKS: list[NavLink] = []


def console_nav_link(
    label,
    url_name: str,
    roles: Iterable[str] | None = None,
    order: int = 50,
    icon: str = "",
    allowed: Callable | None = None,
) -> None:
    """Add a console menu entry shown to users holding one of ``roles`` anywhere
    and, when ``allowed`` is given, for whom ``allowed(user)`` (the same check the
    page makes) is true: a menu never offers a page that would answer 403.

    Registering the same URL name twice keeps the first (``ready`` may run twice
    in tests)."""
    if any(link.url_name == url_name for link in _LINKS):
        return
    _LINKS.append(
        NavLink(
            label, url_name, frozenset(roles) if roles is not None else None, order, icon, allowed
        )
    )
    _LINKS.sort(key=lambda link: link.order)


def nav_links_for(user) -> list[dict]:
    """The links ``user`` may follow, as ``{"label", "url", "url_name", "icon"}``."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = roles_of(user)
    superuser = getattr(user, "is_superuser", False)
    out = []
    for link in _LINKS:
        if link.roles is not None and not superuser and not (roles & link.roles):
            continue
        if link.allowed is not None and not superuser and not link.allowed(user):
            continue
        try:
            url = reverse(link.url_name)
        except NoReverseMatch:  # an app registered a link before its URLconf exists
            continue
        out.append({"label": link.label, "url": url, "url_name": link.url_name, "icon": link.icon})
    return out
