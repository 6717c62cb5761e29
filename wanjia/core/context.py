"""Template context shared by every page: which shell and which menu entries."""

from .roles import Role
from .scoping import can_anywhere, roles_of


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    return {
        "my_roles": roles,
        "is_resident_only": bool(roles) and roles <= {Role.RESIDENT, Role.VOLUNTEER},
        "is_regulator": Role.REGULATOR in roles,
        "can_audit": can_anywhere(user, "audit.view"),
        "can_import": can_anywhere(user, "estates.import"),
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
    }
