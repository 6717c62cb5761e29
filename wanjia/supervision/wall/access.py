"""Who may open the wall screen: the authority (regulators), over their regions."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import CAPABILITIES, declare
from wanjia.core.models import ScopeType
from wanjia.core.roles import Role
from wanjia.core.scoping import memberships_of

WALL = declare("supervision", "supervision.wall", _("查看监管大屏"), {Role.REGULATOR})


def wall_regions(user) -> list:
    """The regions whose wall ``user`` may open, widest first."""
    regions = [
        m.region
        for m in memberships_of(user)
        if m.scope_type == ScopeType.REGION and m.role in CAPABILITIES["supervision.wall"]
    ]
    return sorted(regions, key=lambda r: len(r.path))


def anywhere(user) -> bool:
    return getattr(user, "is_superuser", False) or bool(wall_regions(user))
