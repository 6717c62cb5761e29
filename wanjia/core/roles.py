"""The roles, and the kernel's own permissions (the registry's personal data,
the audit log, staff, the roles × actions table). Every app declares its own
actions in its ``access.py`` through ``wanjia.core.access.declare``; the whole
table is ``CAPABILITIES`` (re-exported here for its many readers) and the
page /console/access/."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .access import CAPABILITIES, declare


class Role(models.TextChoices):
    REGULATOR = "regulator", _("监管部门")
    COMPANY_ADMIN = "company_admin", _("物业企业管理员")
    COMPOUND_MANAGER = "compound_manager", _("项目经理")
    PARTY_SECRETARY = "party_secretary", _("党支部书记")
    BUILDING_LEADER = "building_leader", _("楼栋长")
    STAFF = "staff", _("工作人员")
    RESIDENT = "resident", _("居民")
    VOLUNTEER = "volunteer", _("志愿者")


R = Role
STAFF_SIDE = {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY, R.BUILDING_LEADER, R.STAFF}

__all__ = ["CAPABILITIES", "STAFF_SIDE", "R", "Role"]

# unmask a phone number (audited)
declare(
    "core",
    "pii.reveal_phone",
    _("查看完整手机号（留痕）"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY, R.BUILDING_LEADER},
)
# unmask an ID-card number (audited): only who manages the registry
declare(
    "core", "pii.reveal_id", _("查看完整身份证号（留痕）"), {R.COMPANY_ADMIN, R.COMPOUND_MANAGER}
)
# a full birth date (with the masked ID's visible digits it narrows the ID
# number to a few candidates): the registry's managers and the household
# itself; other roles see the birth year (age)
declare(
    "core",
    "pii.birth_date",
    _("查看完整出生日期"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.RESIDENT},
)
declare("core", "audit.view", _("查看审计日志"), {R.COMPANY_ADMIN, R.REGULATOR})
declare("core", "staff.manage", _("管理工作人员与角色"), {R.COMPANY_ADMIN, R.COMPOUND_MANAGER})
# the roles x actions table itself: who administers or supervises
declare("core", "access.view", _("查看角色权限表"), {R.COMPANY_ADMIN, R.REGULATOR})
