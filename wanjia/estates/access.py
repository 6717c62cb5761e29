"""What the registry lets each role do (declared in the kernel's permission
registry; see ``wanjia.core.access``)."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import STAFF_SIDE
from wanjia.core.roles import Role as R

# see households and residents (masked); residents see only their own household
declare(
    "estates",
    "estates.view_residents",
    _("查看住户与居民（脱敏）"),
    STAFF_SIDE | {R.REGULATOR, R.RESIDENT},
)
declare("estates", "estates.edit", _("编辑小区档案"), {R.COMPANY_ADMIN, R.COMPOUND_MANAGER})
declare("estates", "estates.import", _("导入 Excel 档案"), {R.COMPANY_ADMIN, R.COMPOUND_MANAGER})
declare(
    "estates",
    "estates.export",
    _("导出档案"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.REGULATOR},
)
# find residents by phone digits beyond "name + last four" (which the mask
# shows anyway): only who keeps the registry; a building leader who may
# reveal one phone at a time (audited) must not rebuild numbers by search
declare(
    "estates",
    "estates.search_by_phone",
    _("按手机号检索居民"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
)
