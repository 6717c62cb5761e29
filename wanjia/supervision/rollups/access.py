"""Who reads the supervision figures: the authority over its regions; a company
admin its company's compounds; a compound manager (or party secretary) its own."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import CAPABILITIES, declare
from wanjia.core.models import Compound, ScopeType
from wanjia.core.roles import Role
from wanjia.core.scoping import memberships_of, scope_q

VIEW = declare(
    "supervision",
    "supervision.view",
    _("查看监管指标、排名与信用"),
    {Role.REGULATOR, Role.COMPANY_ADMIN, Role.COMPOUND_MANAGER, Role.PARTY_SECRETARY},
)


def regions_of(user) -> list:
    """The regions ``user`` supervises (widest first)."""
    regions = [
        m.region
        for m in memberships_of(user)
        if m.scope_type == ScopeType.REGION and m.role == Role.REGULATOR and m.region_id
    ]
    return sorted(regions, key=lambda r: len(r.path))


def supervises(user) -> bool:
    return getattr(user, "is_superuser", False) or bool(regions_of(user))


def covers(user, region) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(region.path.startswith(r.path) for r in regions_of(user))


def compounds_of(user):
    """The compounds whose figures ``user`` may read."""
    return Compound.objects.filter(
        scope_q(user, roles=CAPABILITIES["supervision.view"], compound="id")
    )


def reads_any(user) -> bool:
    return supervises(user) or compounds_of(user).exists()
