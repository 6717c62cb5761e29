"""The courier's side: today's routes, and the hand-off at the door by the
household's pickup code or by scanning the bag's label.

The JSON API takes no photo: a photo is a multipart upload, which the phone
page (``/console/delivery/d/<id>/confirm/``) takes; here the hand-off is
proved by the code or the scan alone."""

from django.http import Http404

from wanjia.core.schemas import COMMON_ERRORS, Id

from .. import selectors, services
from ..models import Method
from .common import WRITE_ERRORS, conflicts_as_409, require_courier, router
from .plans import route_out
from .schemas import ConfirmIn, DeliveryOut, FailIn, RouteOut, ScanIn


@router.get(
    "/routes/mine",
    response={200: list[RouteOut], **COMMON_ERRORS},
    summary="我今天的配送路线（按顺序的站点与袋）",
)
def routes_mine(request):
    require_courier(request.auth)
    return [route_out(route) for route in selectors.my_routes_today(request.auth)]


def _delivery(user, delivery_id: int):
    require_courier(user)
    return selectors.get_or_404(selectors.deliveries_visible_to(user), pk=delivery_id)


@router.post(
    "/deliveries/{delivery_id}/confirm",
    response={200: DeliveryOut, **WRITE_ERRORS},
    summary="确认送达（住户取货码或扫袋上二维码）",
)
@conflicts_as_409
def delivery_confirm(request, delivery_id: Id, payload: ConfirmIn):
    """Mark one bag delivered; the household is told the time. 409 when it
    was delivered already, the plan was replaced or the bag is not packed.
    Takes no photo (a JSON body): the courier's phone page uploads one."""
    delivery = _delivery(request.auth, delivery_id)
    delivery = services.delivery_confirm(
        actor=request.auth, delivery=delivery, method=payload.method, code=payload.code
    )
    return DeliveryOut.of(delivery)


@router.post(
    "/deliveries/{delivery_id}/fail",
    response={200: DeliveryOut, **WRITE_ERRORS},
    summary="记录未能送达及原因",
)
@conflicts_as_409
def delivery_fail(request, delivery_id: Id, payload: FailIn):
    """The bag stays open (a later try may still deliver it); ``note`` is
    required with ``reason: other``."""
    delivery = _delivery(request.auth, delivery_id)
    delivery = services.delivery_fail(
        actor=request.auth, delivery=delivery, reason=payload.reason, note=payload.note
    )
    return DeliveryOut.of(delivery)


@router.post(
    "/scan",
    response={200: DeliveryOut, **WRITE_ERRORS},
    summary="扫袋上二维码确认送达（仅限本人当前路线上的袋）",
)
@conflicts_as_409
def scan(request, payload: ScanIn):
    """What the scanner read (the label's URL or the order number) confirms
    that bag on one of the caller's current routes; any other bag is a 404."""
    user = request.auth
    require_courier(user)
    delivery = selectors.scanned_delivery(services.deliveries_for_scan(user, payload.code))
    if delivery is None:
        raise Http404
    delivery = services.delivery_confirm(
        actor=user, delivery=delivery, method=Method.QR, code=payload.code
    )
    return DeliveryOut.of(delivery)
