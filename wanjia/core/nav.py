"""The console's navigation: each app registers its links, the shell shows only
those the user's roles may use, so the page shell needs to know no app by name.

    from wanjia.core.nav import console_nav_link

    console_nav_link(_("调解"), "disputes_home", roles={Role.COMPOUND_MANAGER}, order=40)

Register links in the app's ``AppConfig.ready``. A link may name a ``group``
(one of ``GROUPS``): when a user has more links than fit a phone's header, the
shell folds each group into one menu button (see ``nav_menu_for``)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext_lazy

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
    group: str = ""  # a key of GROUPS; "" keeps the link on the bar itself
    bar: str = "console"  # "console", or "gov": the regulator's top bar


# The menu's sections, in order. They name kinds of work, not apps, so a new
# module joins one of them instead of adding a word to a header that already
# wrapped onto four lines at 1280 px with sixteen entries.
GROUPS: dict[str, tuple[str, str]] = {
    "govern": (pgettext_lazy("菜单", "治理"), "users"),
    "serve": (pgettext_lazy("菜单", "服务"), "services"),
    "community": (pgettext_lazy("菜单", "小区共建"), "building"),
    "rate": (pgettext_lazy("菜单", "评价"), "check"),
    "admin": (pgettext_lazy("菜单", "管理"), "audit"),
    # the regulator's top bar
    "oversee": (pgettext_lazy("菜单", "监管数据"), "chart"),
    "credit": (pgettext_lazy("菜单", "信用"), "check"),
    "inspect": (pgettext_lazy("菜单", "检查"), "flag"),
}
# Up to this many links a user sees them all on the bar, ungrouped: a guard or
# a courier with three entries should not have to open a menu.
FLAT_UP_TO = 7

_LINKS: list[NavLink] = []


def console_nav_link(
    label,
    url_name: str,
    roles: Iterable[str] | None = None,
    order: int = 50,
    icon: str = "",
    allowed: Callable | None = None,
    group: str = "",
    bar: str = "console",
) -> None:
    """Add a console menu entry (``bar="gov"``: an entry of the regulator's
    top bar, after 辖区概况 and 小区) shown to users holding one of ``roles`` anywhere
    and, when ``allowed`` is given, for whom ``allowed(user)`` (the same check the
    page makes) is true: a menu never offers a page that would answer 403.

    Registering the same URL name twice keeps the first (``ready`` may run twice
    in tests)."""
    if any(link.url_name == url_name for link in _LINKS):
        return
    if group and group not in GROUPS:
        raise ValueError(f"unknown menu group {group!r}; one of {sorted(GROUPS)}")
    _LINKS.append(
        NavLink(
            label,
            url_name,
            frozenset(roles) if roles is not None else None,
            order,
            icon,
            allowed,
            group,
            bar,
        )
    )
    _LINKS.sort(key=lambda link: link.order)


def nav_links_for(user, bar: str = "console") -> list[dict]:
    """The links of ``bar`` that ``user`` may follow, as ``{"label", "url",
    "url_name", "icon"}``."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = roles_of(user)
    superuser = getattr(user, "is_superuser", False)
    out = []
    for link in _LINKS:
        if link.bar != bar:
            continue
        if link.roles is not None and not superuser and not (roles & link.roles):
            continue
        if link.allowed is not None and not superuser and not link.allowed(user):
            continue
        try:
            url = reverse(link.url_name)
        except NoReverseMatch:  # an app registered a link before its URLconf exists
            continue
        out.append(
            {
                "label": link.label,
                "url": url,
                "url_name": link.url_name,
                "icon": link.icon,
                "group": link.group,
            }
        )
    return out


def nav_menu_for(user, current: str = "", bar: str = "console") -> list[dict]:
    """The menu bar for ``user``: entries that are either a link
    (``{"link": ...}``) or a group (``{"group", "label", "icon", "links", "on"}``)
    whose links open from one button. A group is placed where its first link
    would be; a group with one link for this user is just that link; a user with
    at most ``FLAT_UP_TO`` links sees them all on the bar. ``current`` is the URL
    name of the page shown, so its group can be marked."""
    links = nav_links_for(user, bar)
    for link in links:
        link["on"] = link["url_name"] == current
    if len(links) <= FLAT_UP_TO:
        return [{"link": link} for link in links]
    grouped: dict[str, list[dict]] = {}
    for link in links:
        if link["group"]:
            grouped.setdefault(link["group"], []).append(link)
    bar, placed = [], set()
    for link in links:
        key = link["group"]
        if not key or len(grouped[key]) == 1:
            bar.append({"link": link})
        elif key not in placed:
            placed.add(key)
            label, icon = GROUPS[key]
            members = grouped[key]
            bar.append(
                {
                    "group": key,
                    "label": label,
                    "icon": icon,
                    "links": members,
                    "on": any(member["on"] for member in members),
                }
            )
    return bar
