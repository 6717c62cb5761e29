"""Sorting and hand-off (one bag per household) and payments recorded at the desk or the door."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import intents
from wanjia.core.audit import audit
from wanjia.core.scoping import can

from ..access import require_operate
from ..errors import Conflict
from ..models import (
    Order,
    OrderStatus,
    OrderWindow,
    Payment,
    PaymentKind,
    WindowStatus,
)
from ..payments import channel as payment_channel
from .catalog import money, text

# --- sorting and hand-off -----------------------------------------------------------


def _require_sorting(order: Order) -> None:
    # Read the status afresh: the caller's order may carry an older window.
    status = OrderWindow.objects.filter(pk=order.window_id).values_list("status", flat=True).first()
    if status not in (WindowStatus.RECEIVED, WindowStatus.PACKED):
        raise Conflict(_("验收完成后才能分拣装袋。"))
    if order.status != OrderStatus.PLACED:
        raise Conflict(_("订单已取消。"))


def bag_pack(*, actor, order: Order) -> bool:
    """Mark a household's bag packed (from a phone on the sorting floor).
    False when it already was. The last bag stamps the window's packing time."""
    require_operate(actor, order.window.market)
    _require_sorting(order)
    now = timezone.now()
    with transaction.atomic():
        # Packers of one window take turns on its row, so the last two bags
        # packed at once cannot both miss that they were the last.
        OrderWindow.objects.select_for_update().filter(pk=order.window_id).values("id").first()
        if not Order.objects.filter(pk=order.pk, packed_at__isnull=True).update(
            packed_at=now, packed_by=actor
        ):
            return False
        audit(
            actor=actor,
            action="market.bag.packed",
            obj=order,
            compound=order.compound,
            detail={"code": order.code},
        )
        unpacked = Order.objects.filter(
            window=order.window, status=OrderStatus.PLACED, packed_at__isnull=True
        ).exists()
        if not unpacked:
            OrderWindow.objects.filter(pk=order.window_id, status=WindowStatus.RECEIVED).update(
                status=WindowStatus.PACKED, packed_at=now
            )
    return True


def bag_unpack(*, actor, order: Order) -> bool:
    """Undo a mistaken "packed" (before hand-off)."""
    require_operate(actor, order.window.market)
    _require_sorting(order)
    with transaction.atomic():
        if not Order.objects.filter(
            pk=order.pk, packed_at__isnull=False, handed_at__isnull=True
        ).update(packed_at=None, packed_by=None):
            return False
        OrderWindow.objects.filter(pk=order.window_id, status=WindowStatus.PACKED).update(
            status=WindowStatus.RECEIVED, packed_at=None
        )
        audit(actor=actor, action="market.bag.unpacked", obj=order, compound=order.compound)
    return True


def bag_hand_over(*, actor, order: Order) -> bool:
    """The bag left our hands (scanned at the pick-up point or the door)."""
    if not (
        can(actor, "market.operate", compound=order.window.market.compound)
        or can(actor, "market.operate", compound=order.compound)
    ):
        raise PermissionDenied
    _require_sorting(order)
    if order.packed_at is None:
        raise Conflict(_("该袋尚未装好，请先装袋。"))
    now = timezone.now()
    with transaction.atomic():
        if not Order.objects.filter(pk=order.pk, handed_at__isnull=True).update(
            handed_at=now, handed_by=actor
        ):
            return False
        audit(actor=actor, action="market.bag.handed_over", obj=order, compound=order.compound)
        # A bag planned for a courier is closed on the route too (delivery's own
        # service, offered through the kernel: the market does not import it).
        intents.ask("delivery.bag_handed_at_market", actor=actor, order=order, at=now)
    return True


# --- payments -----------------------------------------------------------------------


def payment_record(
    *,
    actor,
    order: Order,
    channel: str,
    amount,
    kind: str = PaymentKind.PAYMENT,
    reference: str = "",
    note: str = "",
) -> Payment:
    """Staff record money they saw change hands (货到付款), through a channel."""
    if not (
        can(actor, "market.operate", compound=order.window.market.compound)
        or can(actor, "market.operate", compound=order.compound)
    ):
        raise PermissionDenied
    way = payment_channel(channel)
    if kind not in PaymentKind.values:
        raise ValidationError({"kind": _("请选择收款或退款。")})
    amount = money(amount, "amount", label=_("金额"))
    reference = text(reference, "reference", label=_("凭证号"), max_len=100, required=False)
    way.check(amount=amount, reference=reference)
    if order.status != OrderStatus.PLACED and kind == PaymentKind.PAYMENT:
        raise Conflict(_("订单已取消，不能收款。"))
    with transaction.atomic():
        payment = Payment.objects.create(
            order=order,
            kind=kind,
            channel=way.code,
            amount=amount,
            reference=reference,
            note=text(note, "note", label=_("备注"), max_len=200, required=False),
            recorded_by=actor,
        )
        audit(
            actor=actor,
            action=f"market.payment.{kind}",
            obj=order,
            compound=order.compound,
            detail={
                "code": order.code,
                "channel": way.code,
                "amount": str(amount),
                "reference": reference,
            },
        )
    return payment
