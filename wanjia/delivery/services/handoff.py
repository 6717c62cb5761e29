"""The hand-off at the door, without contact: the courier leaves the bag and
confirms it by scanning the bag's QR label or by the household's pickup code
(told through the door), optionally with a photo. A bag is delivered once;
the household is told the time at once."""

import re
from io import BytesIO

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict
from wanjia.core.notify import notify
from wanjia.market.access import users_by_household
from wanjia.market.models import Order

from .. import codes
from ..access import can_hand_off
from ..models import Delivery, DeliveryStatus, FailReason, Method

OPEN = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
WRONG_CODE_LIMIT = 5  # wrong pickup codes per bag within WRONG_CODE_WINDOW_S
WRONG_CODE_WINDOW_S = 600
PHOTO_MAX_BYTES = 12 * 1024 * 1024
PHOTO_EDGE = 1280  # longest side kept, in pixels: enough to see the bag at the door


def bag_code_of(scanned: str) -> str:
    """The order number in what a scanner read: the label's URL
    (…/bag/<code>/) or the printed number itself."""
    text = str(scanned or "").strip()
    found = re.search(r"/bag/([^/?#\s]+)/?", text)
    return (found.group(1) if found else text).strip().upper()


def _require_open(actor, delivery: Delivery) -> None:
    route = delivery.stop.route
    if not can_hand_off(actor, route):
        raise PermissionDenied
    if not delivery.plan.current:
        raise Conflict(_("配送方案已更新，请刷新后按新的路线送。"))
    if delivery.status == DeliveryStatus.DELIVERED:
        when = timezone.localtime(delivery.delivered_at).strftime("%H:%M")
        raise Conflict(_("这袋已于 %(time)s 送达，不能重复确认。") % {"time": when})
    if delivery.order.packed_at is None:
        raise Conflict(_("这袋还没有装好，请先回市场取袋。"))


def _check_proof(delivery: Delivery, method: str, code: str) -> None:
    if method == Method.QR:
        if bag_code_of(code) != delivery.order.code.upper():
            raise ValidationError({"code": _("扫到的不是这一袋的标签，请核对门牌。")})
        return
    if method != Method.CODE:
        raise ValidationError({"method": _("请选择扫码或输入取货码。")})
    # Keyed by the bag's random order number, not the row id: the count
    # follows the bag into a re-plan, and a reset database reusing ids
    # never inherits another bag's count from the shared cache.
    key = f"delivery:wrong-code:{delivery.order.code}"
    if (cache.get(key) or 0) >= WRONG_CODE_LIMIT:
        raise ValidationError({"code": _("取货码输错次数太多，请 10 分钟后再试或扫袋上二维码。")})
    if not codes.matches(delivery.order.code, code):
        cache.add(key, 0, WRONG_CODE_WINDOW_S)
        cache.incr(key)
        raise ValidationError({"code": _("取货码不对，请住户再核对一遍（6 位数字）。")})


def _mark_delivered(delivery: Delivery, *, actor, at, method: str) -> bool:
    """The one move to DELIVERED: a conditional UPDATE, so of two taps (or a
    courier and the market counter) exactly one wins."""
    return bool(
        Delivery.objects.filter(pk=delivery.pk, status__in=OPEN).update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=at,
            delivered_by=actor,
            method=method,
            failed_at=None,
            fail_reason="",
            fail_note="",
        )
    )


def delivery_confirm(*, actor, delivery: Delivery, method: str, code: str, photo=None) -> Delivery:
    """Mark one bag delivered. The proof is checked before anything is written;
    the status moves by a conditional UPDATE, so two taps (or two couriers)
    deliver it once."""
    _require_open(actor, delivery)
    _check_proof(delivery, method, code)
    image = _photo_bytes(photo) if photo else None
    now = timezone.now()
    with transaction.atomic():
        if not _mark_delivered(delivery, actor=actor, at=now, method=method):
            raise Conflict(_("这袋已经确认送达，不能重复确认。"))
        Order.objects.filter(pk=delivery.order_id, handed_at__isnull=True).update(
            handed_at=now, handed_by=actor
        )
        delivery.refresh_from_db()
        if image is not None:
            delivery.photo.save(f"{delivery.order.code}.jpg", ContentFile(image), save=True)
        audit(
            actor=actor,
            action="delivery.bag.delivered",
            obj=delivery,
            compound=delivery.compound,
            detail={"order": delivery.order.code, "method": method, "photo": image is not None},
        )
        _tell_household(
            delivery,
            lambda: _("菜篮子已送到门口"),
            lambda: (
                _("您的菜袋（%(code)s）已于 %(time)s 放在门口，请及时取回。")
                % {"code": delivery.order.code, "time": timezone.localtime(now).strftime("%H:%M")}
            ),
        )
    return delivery


def delivery_handed_at_market(*, actor, order, at) -> Delivery | None:
    """The market handed ``order``'s bag over itself (at its counter or pick-up
    point), inside the market's own transaction. An open delivery of that bag in a
    current plan is closed by the same conditional UPDATE a courier's confirmation
    makes, and audited the same way, so the courier's list, the board and the
    order agree. Returns the closed delivery, or None when no plan covered it."""
    delivery = (
        Delivery.objects.filter(order=order, plan__current=True, status__in=OPEN)
        .select_related("order")
        .first()
    )
    if delivery is None:
        return None
    if not _mark_delivered(delivery, actor=actor, at=at, method=Method.MARKET):
        return None
    delivery.refresh_from_db()
    audit(
        actor=actor,
        action="delivery.bag.delivered",
        obj=delivery,
        compound=delivery.compound,
        detail={"order": order.code, "method": Method.MARKET, "photo": False},
    )
    return delivery


def delivery_fail(*, actor, delivery: Delivery, reason: str, note: str = "") -> Delivery:
    """Record why a bag could not be left (it stays open: a later try may
    still deliver it, and the manager sees it on the board)."""
    _require_open(actor, delivery)
    if reason not in FailReason.values:
        raise ValidationError({"reason": _("请选择未送达的原因。")})
    note = str(note or "").strip()
    if reason == FailReason.OTHER and not note:
        raise ValidationError({"note": _("选择“其他”时请写明原因。")})
    if len(note) > 200:
        raise ValidationError({"note": _("说明不能超过 200 个字。")})
    with transaction.atomic():
        moved = Delivery.objects.filter(pk=delivery.pk, status__in=OPEN).update(
            status=DeliveryStatus.FAILED,
            failed_at=timezone.now(),
            fail_reason=reason,
            fail_note=note,
        )
        if not moved:  # delivered meanwhile (another tap, another courier)
            raise Conflict(_("这袋已经确认送达，不能再记为未送达。"))
        delivery.refresh_from_db()
        audit(
            actor=actor,
            action="delivery.bag.failed",
            obj=delivery,
            compound=delivery.compound,
            detail={"order": delivery.order.code, "reason": reason},
        )
        _tell_household(
            delivery,
            lambda: _("菜袋暂未送达"),
            lambda: (
                _("配送员未能把您的菜袋（%(code)s）送到：%(reason)s。物业会再联系您。")
                % {"code": delivery.order.code, "reason": delivery.get_fail_reason_display()}
            ),
        )
    return delivery


def _tell_household(delivery: Delivery, title, body) -> None:
    """``title`` and ``body`` are callables: notify() writes them in each reader's language."""
    from django.urls import reverse

    people = users_by_household([delivery.order.household_id]).get(delivery.order.household_id, [])
    notify(
        recipients=people,
        title=title,
        body=body,
        link=reverse("market_h5_order", args=[delivery.order_id]),
        kind="delivery.bag",
    )


def _photo_bytes(upload) -> bytes:
    """The photo as a JPEG no larger than PHOTO_EDGE: anything that is not an
    image is refused by field, never stored."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if getattr(upload, "size", 0) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("照片不能超过 12 MB。")})
    try:
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            out = BytesIO()
            img.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"photo": _("照片无法识别，请重新拍一张。")}) from None
    return out.getvalue()


def deliveries_for_scan(actor, scanned: str):
    """Open deliveries of the actor's current routes whose bag matches a scan."""
    code = bag_code_of(scanned)
    return Delivery.objects.filter(
        Q(order__code__iexact=code),
        plan__current=True,
        stop__route__courier__user=actor,
    )
