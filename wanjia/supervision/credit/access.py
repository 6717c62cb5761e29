"""The credit area's permissions (imported by supervision/access.py): the
regulator reads every company of its area, records awards, edits the scoring
settings and decides objections; a company admin reads its own company's
score and lodges objections."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import Role
from wanjia.core.scoping import can_anywhere, roles_of

R = Role
VIEW = declare(
    "supervision",
    "supervision.credit.view",
    _("查看物业企业信用分与证据"),
    {R.REGULATOR, R.COMPANY_ADMIN},
)
MANAGE = declare(
    "supervision",
    "supervision.credit.manage",
    _("信用评分设置、录入表彰、裁定异议"),
    {R.REGULATOR},
)
OBJECT = declare(
    "supervision", "supervision.credit.object", _("对信用扣分提出异议或申请修复"), {R.COMPANY_ADMIN}
)


def can_view(user) -> bool:
    return can_anywhere(user, "supervision.credit.view")


def can_manage(user) -> bool:
    return can_anywhere(user, "supervision.credit.manage")


def can_object(user) -> bool:
    return can_anywhere(user, "supervision.credit.object")


def is_regulator(user) -> bool:
    return getattr(user, "is_superuser", False) or Role.REGULATOR in roles_of(user)
