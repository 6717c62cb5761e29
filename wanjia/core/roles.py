"""Roles and what each may do. One table, read by the scoping selectors and the
permission checks, so that a reader finds every rule in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

# action -> roles allowed to do it (within the scope their membership covers)
CAPABILITIES: dict[str, set[str]] = {
    # see households and residents (masked); residents see only their own household
    "estates.view_residents": STAFF_SIDE | {R.REGULATOR, R.RESIDENT},
    "estates.edit": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
    "estates.import": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
    "estates.export": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.REGULATOR},
    # unmask a phone number (audited)
    "pii.reveal_phone": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY, R.BUILDING_LEADER},
    # unmask an ID-card number (audited): only who manages the registry
    "pii.reveal_id": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
    # a full birth date (with the masked ID's visible digits it narrows the ID
    # number to a few candidates): the registry's managers and the household
    # itself; other roles see the birth year (age)
    # find residents by phone digits beyond "name + last four" (which the mask
    # shows anyway): only who keeps the registry; a building leader who may
    # reveal one phone at a time (audited) must not rebuild numbers by search
    "estates.search_by_phone": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
    "pii.birth_date": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.RESIDENT},
    "audit.view": {R.COMPANY_ADMIN, R.REGULATOR},
    "staff.manage": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
    # party layer: figures and coverage for who runs or supervises the compound
    "party.view": {
        R.COMPANY_ADMIN,
        R.COMPOUND_MANAGER,
        R.PARTY_SECRETARY,
        R.BUILDING_LEADER,
        R.REGULATOR,
    },
    # branches, members, responsibilities, teams, activities: the branch's own work
    "party.manage": {R.PARTY_SECRETARY},
    # open a dispute case (a resident only for their own household)
    "disputes.report": STAFF_SIDE | {R.RESIDENT},
    # figures (no personal data): the compound's mediators and the regulator
    "disputes.figures": {
        R.COMPANY_ADMIN,
        R.COMPOUND_MANAGER,
        R.PARTY_SECRETARY,
        R.BUILDING_LEADER,
        R.REGULATOR,
    },
    # per-compound time limits, follow-up and reopen periods, sweep period
    "disputes.configure": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
    # 菜篮子: suppliers, catalog, prices, windows, cutoff, purchase orders
    "market.manage": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
    # receiving, sorting, bags, payments: the market staff on the floor
    "market.operate": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.STAFF},
    # order for a household (a resident for their own, staff 代下单 for those without phones)
    "market.order": {R.RESIDENT},
    "market.order_for_resident": {
        R.COMPANY_ADMIN,
        R.COMPOUND_MANAGER,
        R.STAFF,
        R.BUILDING_LEADER,
    },
    # see orders and reports of a served compound
    "market.view_orders": {
        R.COMPANY_ADMIN,
        R.COMPOUND_MANAGER,
        R.STAFF,
        R.BUILDING_LEADER,
        R.PARTY_SECRETARY,
    },
    # 无接触配送: couriers, planning, re-planning for the market's compound
    "delivery.plan": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
    # the live board and run sheets: who runs the market
    "delivery.watch": {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.STAFF, R.PARTY_SECRETARY},
    # carry bags on a route of one's own (staff couriers and volunteers)
    "delivery.deliver": {R.STAFF, R.VOLUNTEER},
}
