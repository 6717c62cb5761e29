"""Material requests: a compound asks (need); its company marks it
available from its own stock (taken from the company's store, refused when
the store is short: services/stock.py), or the authority allocates it; the
compound confirms delivery (added to its own stock). Each step moves only
from the stage before it (a conditional UPDATE), so a double tap or two
officers at once move it once."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid

from .. import access
from ..models import EventCompound, MaterialRequest, Stage, Supply
from . import stock
from .events import ACTIVE, timeline

MAX_QTY = 100000
# the stage a step leaves, and who may take it
STEPS = {
    Stage.AVAILABLE: (Stage.NEED,),
    Stage.ALLOCATED: (Stage.NEED, Stage.AVAILABLE),
    Stage.DELIVERED: (Stage.AVAILABLE, Stage.ALLOCATED),
}


def material_request(*, actor, event, compound, supply, quantity) -> MaterialRequest:
    if not access.can_respond(actor, compound):
        raise Forbidden
    if event.status not in ACTIVE:
        raise Conflict(gettext("该应急事件已经结束。"))
    if not EventCompound.objects.filter(event=event, compound=compound).exists():
        raise Invalid({"compound": [gettext("该小区不在此次应急范围内。")]})
    errors = {}
    if supply not in Supply.values:
        errors["supply"] = [gettext("请选择物资。")]
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= MAX_QTY:
        errors["quantity"] = [gettext("数量应为 1 到 100000。")]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        row = MaterialRequest.objects.create(
            event=event, compound=compound, supply=supply, quantity=quantity, requested_by=actor
        )
        timeline(event, "material", compound=compound, supply=supply, quantity=quantity)
        audit(actor=actor, action="emergency.material.requested", obj=row, compound=compound)
    return row


def may_move(user, row, stage) -> bool:
    if stage == Stage.AVAILABLE:
        return access.supplies_for(user, row.compound)
    if stage == Stage.ALLOCATED:
        return access.can_command_event(user, row.event)
    if stage == Stage.DELIVERED:
        return access.can_respond(user, row.compound)
    return False


def material_move(*, actor, row, stage) -> MaterialRequest:
    if stage not in STEPS:
        raise Invalid({"stage": [gettext("请选择下一步。")]})
    if not may_move(actor, row, stage):
        raise Forbidden
    if row.event.status not in ACTIVE:
        raise Conflict(gettext("该应急事件已经结束。"))
    now = timezone.now()
    with transaction.atomic():
        if not MaterialRequest.objects.filter(pk=row.pk, stage__in=STEPS[stage]).update(
            stage=stage, moved_at=now, moved_by=actor
        ):
            raise Conflict(gettext("这条物资申请已经处理过了，请刷新。"))
        row.refresh_from_db()
        if stage == Stage.AVAILABLE:
            stock.stock_take(company=row.compound.company, supply=row.supply, quantity=row.quantity)
        elif stage == Stage.DELIVERED:
            stock.stock_add(compound=row.compound, supply=row.supply, quantity=row.quantity)
        timeline(
            row.event,
            f"material_{stage}",
            compound=row.compound,
            supply=row.supply,
            quantity=row.quantity,
        )
        audit(actor=actor, action=f"emergency.material.{stage}", obj=row, compound=row.compound)
    return row
