"""What the party layer lets each role do (declared in the kernel's permission
registry; see ``wanjia.core.access``)."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import Role as R

# party layer: figures and coverage for who runs or supervises the compound
declare(
    "party",
    "party.view",
    _("查看党建数据与覆盖情况"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY, R.BUILDING_LEADER, R.REGULATOR},
)
# branches, members, responsibilities, teams, activities: the branch's own work
declare("party", "party.manage", _("管理支部、党员、责任区、队伍与活动"), {R.PARTY_SECRETARY})
