"""Template context shared by every page: which shell and which menu entries."""

from .banners import banners_for
from .nav import nav_menu_for
from .roles import STAFF_SIDE, Role
from .scoping import can_anywhere, roles_of

RESIDENT_SIDE = {Role.RESIDENT, Role.VOLUNTEER}


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    return {
        "my_roles": roles,
        "is_resident_only": bool(roles) and roles <= RESIDENT_SIDE,
        "is_regulator": Role.REGULATOR in roles,
        "is_console_user": user.is_superuser or bool(roles & (STAFF_SIDE | {Role.REGULATOR})),
        "can_audit": can_anywhere(user, "audit.view"),
        "can_import": can_anywhere(user, "estates.import"),
        "console_nav": nav_menu_for(user, _current_url_name(request)),
        # a callable: asked only by the regulator's shell
        "gov_nav": lambda: nav_menu_for(user, _current_url_name(request), "gov"),
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
        # a callable: asked only by a page that shows the banners
        "page_banners": lambda: banners_for(request),
    }


def _current_url_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.url_name or "") if match else ""
