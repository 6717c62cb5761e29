"""The permission registry: one declared permission per action, each with the
roles that hold it, so that a reader (and the roles × actions page at
/console/access/) finds every rule in one table.

Each app declares its own actions in its ``access.py``::

    from wanjia.core.access import declare

    declare("market", "market.manage", _("管理菜篮子：供应商、商品、价格、订购窗口"),
            {Role.COMPANY_ADMIN, Role.COMPOUND_MANAGER})

The kernel never imports an app: ``CoreConfig.ready`` autodiscovers every
installed app's ``access`` module (the way Django's admin finds ``admin.py``),
so by the time any request or job runs the table is complete. ``can`` and
``can_anywhere`` (``wanjia.core.scoping``), the console menu and the job kinds
all read it."""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Permission:
    name: str  # "<app>.<action>"
    label: str  # a lazy translation: what the action lets one do
    roles: frozenset[str]
    app: str


_REGISTRY: dict[str, Permission] = {}


def declare(app: str, name: str, label, roles: Iterable[str]) -> Permission:
    """Register the permission ``name`` held by ``roles`` (within the scope
    their membership covers). Declaring the same name twice with other roles
    is a programming error; the same declaration again (a module imported
    twice in tests) is a no-op."""
    perm = Permission(name, label, frozenset(roles), app)
    known = _REGISTRY.get(name)
    if known is not None and known.roles != perm.roles:
        raise ImproperlyConfigured(f"Permission {name!r} is declared twice with other roles.")
    _REGISTRY.setdefault(name, perm)
    return _REGISTRY[name]


def permission(name: str) -> Permission:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"Unknown permission {name!r}: declare it in its app's access.py."
        ) from None


def permissions() -> list[Permission]:
    """Every declared permission, grouped by app in declaration order."""
    return list(_REGISTRY.values())


class _Capabilities(Mapping):
    """``CAPABILITIES[name]`` -> the roles that hold ``name`` (a read-only view
    of the registry, kept for the many readers that predate it)."""

    def __getitem__(self, name: str) -> frozenset[str]:
        return permission(name).roles

    def __contains__(self, name) -> bool:
        return name in _REGISTRY

    def __iter__(self) -> Iterator[str]:
        return iter(_REGISTRY)

    def __len__(self) -> int:
        return len(_REGISTRY)


CAPABILITIES = _Capabilities()
