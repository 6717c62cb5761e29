"""Who reads credit scores: the authority, for the companies serving its
regions; a company admin, its own company only. Recording conduct is the
authority's."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.models import Company, Compound, ScopeType
from wanjia.core.roles import Role
from wanjia.core.scoping import memberships_of

from ..rollups.access import regions_of, supervises

RECORD = declare(
    "supervision", "supervision.record", _("登记企业信用记录（表扬、违规）"), {Role.REGULATOR}
)


def companies_of(user):
    """The companies whose credit ``user`` may read."""
    if getattr(user, "is_superuser", False):
        return Company.objects.all()
    q = Q(
        pk__in=[
            m.company_id
            for m in memberships_of(user)
            if m.scope_type == ScopeType.COMPANY and m.role == Role.COMPANY_ADMIN and m.company_id
        ]
    )
    for region in regions_of(user):
        q |= Q(
            pk__in=Compound.objects.filter(community__path__startswith=region.path).values(
                "company_id"
            )
        )
    return Company.objects.filter(q)


def reads_any(user) -> bool:
    return companies_of(user).exists()


def may_record(user) -> bool:
    return supervises(user)
