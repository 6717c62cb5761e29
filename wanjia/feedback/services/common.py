"""What the satisfaction writes share: the windows, input checks, who is told,
and the loop's event log."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.errors import Invalid
from wanjia.core.models import Compound, Membership, Region, ScopeType
from wanjia.core.roles import Role

from ..models import (
    UNHAPPY_AT_MOST,
    Level,
    Loop,
    LoopEvent,
)

WINDOW = timedelta(days=7)  # rate within 7 days of the service's finish


CALL_DAYS, FIX_DAYS = 1, 15  # working days


RERATE_WINDOW = timedelta(days=7)  # after the fix, then the loop closes by itself


APPEAL_WINDOW = timedelta(days=15)


def _level(raw) -> int:
    try:
        level = int(raw)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise Invalid({"level": _("请选择 1–5 之间的评价（5 为非常满意，1 为非常不满意）。")})
    return level


def _text(raw, field: str, *, required: bool = False, limit: int = 500) -> str:
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if required and not text:
        raise Invalid({field: _("请填写。")})
    if len(text) > limit:
        raise Invalid({field: _("不能超过 %(n)s 字。") % {"n": limit}})
    return text


def _staff(compound_id: int, roles=(Role.COMPOUND_MANAGER, Role.STAFF)) -> list:
    rows = Membership.objects.filter(
        role__in=roles, scope_type=ScopeType.COMPOUND, compound_id=compound_id, user__is_active=True
    ).select_related("user")
    return [m.user for m in rows.order_by("id")]


def _company_admins(company_id: int) -> list:
    rows = Membership.objects.filter(
        role=Role.COMPANY_ADMIN, scope_type=ScopeType.COMPANY, company_id=company_id
    ).select_related("user")
    return [m.user for m in rows.order_by("id")]


def _regulators(compound: Compound) -> list:
    path = compound.community.path
    prefixes = [p for p in Region.objects.values_list("path", flat=True) if path.startswith(p)]
    rows = Membership.objects.filter(
        role=Role.REGULATOR, scope_type=ScopeType.REGION, region__path__in=prefixes
    ).select_related("user")
    return [m.user for m in rows.order_by("id")]


def _household_users(household_id: int) -> list:
    rows = Membership.objects.filter(
        role=Role.RESIDENT, scope_type=ScopeType.HOUSEHOLD, household_id=household_id
    ).select_related("user")
    return [m.user for m in rows]


def _event(loop: Loop, what: str, *, actor=None, note: str = "", at=None) -> None:
    LoopEvent.objects.create(loop=loop, what=what, actor=actor, note=note, at=at or timezone.now())


def unhappy_level(level: int) -> bool:
    return level <= UNHAPPY_AT_MOST
