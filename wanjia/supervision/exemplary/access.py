"""The exemplary area's permissions (imported by supervision/access.py).

Nominate: who runs a compound (its company's admin, its manager, its party
secretary) for its own records, and the regulator for any compound in its
region. Review (return, reject, select) and publish: the regulator, over the
compounds its region holds."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import Role
from wanjia.core.scoping import can, can_anywhere

R = Role
NOMINATE = declare(
    "supervision",
    "supervision.exemplary.nominate",
    _("推荐先进典型"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY, R.REGULATOR},
)
REVIEW = declare(
    "supervision",
    "supervision.exemplary.review",
    _("审核、评选和发布先进典型"),
    {R.REGULATOR},
)
NOMINATORS = {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY}


def may_nominate(user, compound) -> bool:
    return can(user, "supervision.exemplary.nominate", compound=compound)


def may_review(user, compound) -> bool:
    return can(user, "supervision.exemplary.review", compound=compound)


def nominates_anywhere(user) -> bool:
    return can_anywhere(user, "supervision.exemplary.nominate")


def reviews_anywhere(user) -> bool:
    return can_anywhere(user, "supervision.exemplary.review")
